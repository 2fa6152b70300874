using System.Reflection;
using System.Text;
using EchoCache.Net.Security;

namespace EchoCache.Tests.Net.Security;

/// <summary>The default user's password: kept as a digest, matched byte for byte, bounded in length.</summary>
public sealed class PasswordTests
{
    [Fact]
    public void Only_the_exact_bytes_match()
    {
        var password = new Password("s3cret!");
        Assert.True(password.Matches("s3cret!"u8));
        Assert.False(password.Matches("s3cret"u8));
        Assert.False(password.Matches("s3cret!!"u8));
        Assert.False(password.Matches("S3cret!"u8));
        Assert.False(password.Matches(" s3cret!"u8));
        Assert.False(password.Matches(""u8));
    }

    [Fact]
    public void Any_bytes_make_a_password_and_text_is_its_utf8()
    {
        var binary = new Password("abc\0def"u8);
        Assert.True(binary.Matches("abc\0def"u8));
        Assert.False(binary.Matches("abc"u8)); // not cut at the NUL, as C strings would be
        Assert.True(new Password("pässwörd").Matches(Encoding.UTF8.GetBytes("pässwörd")));
        Assert.False(new Password("pässwörd").Matches(Encoding.Latin1.GetBytes("pässwörd")));
    }

    [Fact]
    public void Lengths_from_one_byte_to_the_cap()
    {
        Assert.Throws<ArgumentException>(() => new Password(""u8));
        Assert.Throws<ArgumentException>(() => new Password(new byte[Password.MaxLength + 1]));
        byte[] longest = Enumerable.Range(0, Password.MaxLength).Select(i => (byte)i).ToArray();
        var password = new Password(longest);
        Assert.True(password.Matches(longest));
        Assert.False(password.Matches([.. longest, 0]));
        Assert.True(new Password("x").Matches("x"u8));
    }

    [Fact]
    public void No_field_holds_the_password_itself()
    {
        byte[] text = Encoding.UTF8.GetBytes("a password nobody may read back");
        var password = new Password(text);
        foreach (FieldInfo field in typeof(Password).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            object? value = field.GetValue(password);
            Assert.False(value is byte[] bytes && bytes.AsSpan().IndexOf(text) >= 0, $"{field.Name} holds the password");
            Assert.IsNotType<string>(value);
        }
    }
}
