// The `pyramid-nas` command. Each subcommand lives in ./commands/<name>.ts and exports `register(program)`;
// add one import + one call below per command.
import { Command } from 'commander';

const program = new Command();
program
  .name('pyramid-nas')
  .description('Search feature-pyramid topologies for object detectors')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander's own usage errors exit 2 like every other bad-input error of this tool.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

// -- commands (one line each) --
// -- end commands --

await program.parseAsync(process.argv);
