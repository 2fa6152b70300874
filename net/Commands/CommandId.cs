namespace EchoCache.Net.Commands;

/// <summary>Every command and subcommand of the one command table (<see cref="CommandTable"/>).</summary>
public enum CommandId : byte
{
    /// <summary>GET.</summary>
    Get,
    /// <summary>SET.</summary>
    Set,
    /// <summary>SETNX.</summary>
    SetNx,
    /// <summary>SETEX.</summary>
    SetEx,
    /// <summary>PSETEX.</summary>
    PSetEx,
    /// <summary>GETSET.</summary>
    GetSet,
    /// <summary>GETDEL.</summary>
    GetDel,
    /// <summary>GETEX.</summary>
    GetEx,
    /// <summary>MGET.</summary>
    MGet,
    /// <summary>MSET.</summary>
    MSet,
    /// <summary>MSETNX.</summary>
    MSetNx,
    /// <summary>INCR.</summary>
    Incr,
    /// <summary>DECR.</summary>
    Decr,
    /// <summary>INCRBY.</summary>
    IncrBy,
    /// <summary>DECRBY.</summary>
    DecrBy,
    /// <summary>INCRBYFLOAT.</summary>
    IncrByFloat,
    /// <summary>APPEND.</summary>
    Append,
    /// <summary>STRLEN.</summary>
    StrLen,
    /// <summary>GETRANGE.</summary>
    GetRange,
    /// <summary>SETRANGE.</summary>
    SetRange,
    /// <summary>DEL.</summary>
    Del,
    /// <summary>UNLINK.</summary>
    Unlink,
    /// <summary>EXISTS.</summary>
    Exists,
    /// <summary>TOUCH.</summary>
    Touch,
    /// <summary>TYPE.</summary>
    Type,
    /// <summary>RENAME.</summary>
    Rename,
    /// <summary>RENAMENX.</summary>
    RenameNx,
    /// <summary>COPY.</summary>
    Copy,
    /// <summary>KEYS.</summary>
    Keys,
    /// <summary>SCAN.</summary>
    Scan,
    /// <summary>RANDOMKEY.</summary>
    RandomKey,
    /// <summary>EXPIRE.</summary>
    Expire,
    /// <summary>PEXPIRE.</summary>
    PExpire,
    /// <summary>EXPIREAT.</summary>
    ExpireAt,
    /// <summary>PEXPIREAT.</summary>
    PExpireAt,
    /// <summary>EXPIRETIME.</summary>
    ExpireTime,
    /// <summary>PEXPIRETIME.</summary>
    PExpireTime,
    /// <summary>TTL.</summary>
    Ttl,
    /// <summary>PTTL.</summary>
    PTtl,
    /// <summary>PERSIST.</summary>
    Persist,
    /// <summary>DBSIZE.</summary>
    DbSize,
    /// <summary>FLUSHDB.</summary>
    FlushDb,
    /// <summary>FLUSHALL.</summary>
    FlushAll,
    /// <summary>SELECT.</summary>
    Select,
    /// <summary>PING.</summary>
    Ping,
    /// <summary>ECHO.</summary>
    Echo,
    /// <summary>INFO.</summary>
    Info,
    /// <summary>HELLO.</summary>
    Hello,
    /// <summary>AUTH.</summary>
    Auth,
    /// <summary>CLIENT (container).</summary>
    Client,
    /// <summary>CLIENT SETNAME.</summary>
    ClientSetName,
    /// <summary>CLIENT GETNAME.</summary>
    ClientGetName,
    /// <summary>CLIENT ID.</summary>
    ClientId,
    /// <summary>CLIENT SETINFO.</summary>
    ClientSetInfo,
    /// <summary>CLIENT HELP.</summary>
    ClientHelp,
    /// <summary>CLIENT LIST.</summary>
    ClientList,
    /// <summary>CLIENT INFO.</summary>
    ClientInfo,
    /// <summary>CLIENT KILL.</summary>
    ClientKill,
    /// <summary>CONFIG (container).</summary>
    Config,
    /// <summary>CONFIG GET.</summary>
    ConfigGet,
    /// <summary>CONFIG HELP.</summary>
    ConfigHelp,
    /// <summary>COMMAND (also the container of its subcommands).</summary>
    Command,
    /// <summary>COMMAND COUNT.</summary>
    CommandCount,
    /// <summary>COMMAND DOCS.</summary>
    CommandDocs,
    /// <summary>COMMAND INFO.</summary>
    CommandInfo,
    /// <summary>COMMAND LIST.</summary>
    CommandList,
    /// <summary>COMMAND HELP.</summary>
    CommandHelp,
    /// <summary>QUIT.</summary>
    Quit,
    /// <summary>ROLE.</summary>
    Role,
    /// <summary>CLUSTER (refused: cluster mode is not supported).</summary>
    Cluster,
    /// <summary>SETBIT.</summary>
    SetBit,
    /// <summary>GETBIT.</summary>
    GetBit,
    /// <summary>BITCOUNT.</summary>
    BitCount,
    /// <summary>LCS.</summary>
    Lcs,
    /// <summary>TIME.</summary>
    Time,
    /// <summary>FUNCTION (container).</summary>
    Function,
    /// <summary>FUNCTION FLUSH.</summary>
    FunctionFlush,
    /// <summary>FUNCTION HELP.</summary>
    FunctionHelp,
}
