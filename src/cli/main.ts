// The `pyramid-nas` command. Each subcommand lives in ./commands/<name>.ts and exports `register(program)`;
// add one import + one call below per command.
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

// -- commands (one line each) --
import { register as registerDataset } from './commands/dataset.js';
registerDataset(program);
import { register as registerEval } from './commands/eval.js';
registerEval(program);
import { register as registerSearch } from './commands/search.js';
registerSearch(program);
import { register as registerWorker } from './commands/worker.js';
registerWorker(program);
import { register as registerClean } from './commands/clean.js';
registerClean(program);
import { register as registerStatus } from './commands/status.js';
registerStatus(program);
import { register as registerExport } from './commands/export.js';
registerExport(program);
import { register as registerValidate } from './commands/validate.js';
registerValidate(program);
import { register as registerRender } from './commands/render.js';
registerRender(program);
import { register as registerZoo } from './commands/zoo.js';
registerZoo(program);
import { register as registerHash } from './commands/hash.js';
registerHash(program);
import { register as registerTrain } from './commands/train.js';
registerTrain(program);
import { register as registerDashboard } from './commands/dashboard.js';
registerDashboard(program);
// -- end commands --

await program.parseAsync(process.argv);
