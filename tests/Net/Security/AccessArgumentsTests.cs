using EchoCache.Net.Hosting;
using EchoCache.Net.Security;

namespace EchoCache.Tests.Net.Security;

/// <summary>A host's password and protected-mode options (--requirepass, --requirepass-file, ECHO_CACHE_PASSWORD, --protected-mode).</summary>
public sealed class AccessArgumentsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("echo-auth-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static HostArguments Parse(params string[] args) => HostArguments.Parse(args, AccessArguments.Options);

    private string File(string name, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void No_option_and_no_variable_is_no_password()
    {
        Assert.Null(AccessArguments.ParsePassword(Parse(), null));
        Assert.Null(AccessArguments.ParsePassword(Parse(), "")); // set but empty: as unset
    }

    [Fact]
    public void Each_of_the_three_forms_sets_the_password()
    {
        Assert.True(AccessArguments.ParsePassword(Parse("--requirepass", "p1"), null)!.Matches("p1"u8));
        Assert.True(AccessArguments.ParsePassword(Parse("--requirepass=p=2"), null)!.Matches("p=2"u8));
        Assert.True(AccessArguments.ParsePassword(Parse(), "from env")!.Matches("from env"u8));
        string path = File("pw", "from file\n"u8.ToArray());
        Assert.True(AccessArguments.ParsePassword(Parse("--requirepass-file", path), null)!.Matches("from file"u8));
    }

    [Fact]
    public void An_option_wins_over_the_variable()
    {
        Password password = AccessArguments.ParsePassword(Parse("--requirepass", "option"), "variable")!;
        Assert.True(password.Matches("option"u8));
        Assert.False(password.Matches("variable"u8));
    }

    [Theory]
    [InlineData("only line", "only line")]
    [InlineData("first\nsecond\n", "first")]
    [InlineData("crlf\r\nnext", "crlf")]
    [InlineData("  spaces kept  \n", "  spaces kept  ")]
    public void The_file_gives_its_first_line_without_the_line_end(string content, string password)
    {
        string path = File("pw", System.Text.Encoding.UTF8.GetBytes(content));
        Password parsed = AccessArguments.ParsePassword(Parse("--requirepass-file", path), null)!;
        Assert.True(parsed.Matches(System.Text.Encoding.UTF8.GetBytes(password)));
    }

    [Fact]
    public void Mistakes_are_usage_errors_that_say_what_is_wrong()
    {
        string missing = Path.Combine(_directory, "missing");
        string empty = File("empty", []);
        string blank = File("blank", "\nsecond line\n"u8.ToArray());
        string huge = File("huge", new byte[Password.MaxLength + 1]);
        Assert.Equal($"cannot read --requirepass-file '{missing}': no such file",
            Assert.Throws<UsageException>(() => AccessArguments.ParsePassword(Parse("--requirepass-file", missing), null)).Message);
        Assert.Equal($"cannot read --requirepass-file '{_directory}': it is a directory",
            Assert.Throws<UsageException>(() => AccessArguments.ParsePassword(Parse("--requirepass-file", _directory), null)).Message);
        Assert.Equal($"the password from --requirepass-file '{empty}' is empty",
            Assert.Throws<UsageException>(() => AccessArguments.ParsePassword(Parse("--requirepass-file", empty), null)).Message);
        Assert.Equal($"the password from --requirepass-file '{blank}' is empty",
            Assert.Throws<UsageException>(() => AccessArguments.ParsePassword(Parse("--requirepass-file", blank), null)).Message);
        Assert.Equal($"the password from --requirepass-file '{huge}' is longer than 16384 bytes",
            Assert.Throws<UsageException>(() => AccessArguments.ParsePassword(Parse("--requirepass-file", huge), null)).Message);
        Assert.Equal("the password from --requirepass is empty",
            Assert.Throws<UsageException>(() => AccessArguments.ParsePassword(Parse("--requirepass", ""), null)).Message);
        Assert.Equal("give --requirepass or --requirepass-file, not both",
            Assert.Throws<UsageException>(() => AccessArguments.ParsePassword(Parse("--requirepass", "a", "--requirepass-file", empty), null)).Message);
    }

    [Fact]
    public void Protected_mode_is_on_unless_told_no()
    {
        Assert.True(AccessArguments.ParseProtectedMode(Parse()));
        Assert.True(AccessArguments.ParseProtectedMode(Parse("--protected-mode", "yes")));
        Assert.False(AccessArguments.ParseProtectedMode(Parse("--protected-mode", "no")));
        Assert.Equal("--protected-mode must be yes or no, not 'off'",
            Assert.Throws<UsageException>(() => AccessArguments.ParseProtectedMode(Parse("--protected-mode", "off"))).Message);
    }
}
