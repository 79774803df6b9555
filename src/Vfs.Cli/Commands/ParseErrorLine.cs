using System.CommandLine;

namespace Vfs.Cli.Commands;

/// <summary>
/// The one line printed for a command line the parser rejects. The parser may report several errors for one slip
/// ("Unrecognized command 'frobnicate'" and "Required command was not provided"): the unrecognized token is what the
/// user needs to see, so it goes first; every line ends with the usage of the command that was being parsed.
/// </summary>
public static class ParseErrorLine
{
    public static string For(ParseResult parse)
    {
        var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
        return $"vfs: {error.Message.TrimEnd('.')} (usage: {Usage(parse.CommandResult.Command)}; see --help)";
    }

    private static string Usage(Command command)
    {
        var names = new List<string>();
        for (var symbol = command; symbol is not null and not RootCommand; symbol = symbol.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, symbol.Name);
        names.Insert(0, "vfs");
        names.AddRange(command.Arguments.Select(a => a.Name));
        if (command.Subcommands.Count > 0) names.Add("COMMAND");
        if (command.Options.Count > 0) names.Add("[options]");
        return string.Join(' ', names);
    }
}
