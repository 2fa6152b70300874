using EchoCache.CommandLine;

namespace EchoCache.Tests.CommandLine;

/// <summary>Splitting an interactive line into words: spaces, quotes, escapes.</summary>
public sealed class LineTokenizerTests
{
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        Assert.True(LineTokenizer.TryTokenize(line, words, out string? error), error);
        return words;
    }

    private static string Failure(string line)
    {
        Assert.False(LineTokenizer.TryTokenize(line, [], out string? error));
        return error!;
    }

    [Fact]
    public void Plain_words_split_on_spaces_and_tabs() =>
        Assert.Equal(["set", "name", "tanson"], Words("  set \tname   tanson  "));

    [Fact]
    public void A_blank_line_has_no_words()
    {
        Assert.Empty(Words(""));
        Assert.Empty(Words(" \t "));
    }

    [Fact]
    public void Double_quotes_keep_spaces() =>
        Assert.Equal(["set", "greeting", "hello  world", "60"], Words("set greeting \"hello  world\" 60"));

    [Fact]
    public void Single_quotes_keep_everything_as_typed() =>
        Assert.Equal(["set", "k", "a \"b\" \\n"], Words("set k 'a \"b\" \\n'"));

    [Fact]
    public void Inside_double_quotes_backslash_escapes_only_a_quote_and_a_backslash() =>
        Assert.Equal(["say \"hi\" \\ \\n"], Words("\"say \\\"hi\\\" \\\\ \\n\""));

    [Fact]
    public void Outside_quotes_a_backslash_is_an_ordinary_character() =>
        Assert.Equal(["C:\\temp\\x"], Words("C:\\temp\\x"));

    [Fact]
    public void Quoted_and_plain_parts_written_together_make_one_word() =>
        Assert.Equal(["ab c", "d'e"], Words("a\"b c\" d\"'\"e"));

    [Fact]
    public void Empty_quotes_are_an_empty_word() =>
        Assert.Equal(["set", "k", ""], Words("set k \"\""));

    [Fact]
    public void Characters_beyond_ascii_pass_through() =>
        Assert.Equal(["set", "clé", "valeur é ✓"], Words("set clé \"valeur é ✓\""));

    [Fact]
    public void An_unterminated_double_quote_is_an_error() =>
        Assert.Equal("Unterminated \" quote: close it, e.g. set greeting \"hello world\"", Failure("set k \"hello world"));

    [Fact]
    public void An_unterminated_single_quote_is_an_error() =>
        Assert.StartsWith("Unterminated ' quote", Failure("set k 'hello"), StringComparison.Ordinal);

    [Fact]
    public void An_escaped_closing_quote_does_not_close() =>
        Assert.StartsWith("Unterminated \" quote", Failure("set k \"hello\\\""), StringComparison.Ordinal);
}
