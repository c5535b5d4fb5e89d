// The `pyramid-nas` command. Each subcommand lives in ./commands/<name>.ts and exports `register(program)`;
// add one line per command to COMMANDS below.
import { Command } from 'commander';

// `pyramid-nas zoo | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

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

// -- commands (one line each): name → its module. Only the module of the command being run is loaded, so a
// quick command (validate, hash) does not pay for the heavy ones (BullMQ, TensorFlow.js, sharp); help and
// anything that is not a command name load them all. --
const COMMANDS: Record<string, () => Promise<{ register(program: Command): void }>> = {
  dataset: () => import('./commands/dataset.js'),
  eval: () => import('./commands/eval.js'),
  search: () => import('./commands/search.js'),
  worker: () => import('./commands/worker.js'),
  clean: () => import('./commands/clean.js'),
  status: () => import('./commands/status.js'),
  export: () => import('./commands/export.js'),
  validate: () => import('./commands/validate.js'),
  render: () => import('./commands/render.js'),
  zoo: () => import('./commands/zoo.js'),
  codegen: () => import('./commands/codegen.js'),
  hash: () => import('./commands/hash.js'),
  train: () => import('./commands/train.js'),
  evaluate: () => import('./commands/evaluate.js'),
  study: () => import('./commands/study.js'),
  dashboard: () => import('./commands/dashboard.js'),
};
// -- end commands --

const named = process.argv[2];
const load = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const command of await Promise.all(load.map((name) => COMMANDS[name]()))) command.register(program);

await program.parseAsync(process.argv);
