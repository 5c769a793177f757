// The `pinpoint` command. Each subcommand lives in its own file and only turns flags into
// parameters for the code that does the work. Those files define the flags and help and load
// their work (./actions/*.ts) with import() when the command runs: every start builds all the
// definitions, so one that imported its work at the top would load most of the gateway for
// --help or any other command. startup.test.ts checks that it stays so.
import { Command, CommanderError } from 'commander';
import { CliError } from './errors.ts';
import { consumersCommand } from './consumers.ts';
import { diffCommand } from './diff.ts';
import { explainCommand } from './explain.ts';
import { replayCommand } from './replay.ts';
import { shadowCommand } from './shadow.ts';
import { auditLogCommand, keysCommand } from './keys.ts';
import { limitsCommand } from './limits.ts';
import { logsCommand } from './logs.ts';
import { startCommand } from './start.ts';
import { validateCommand } from './validate.ts';
import { whyCommand } from './why.ts';
import { bisectCommand } from './bisect.ts';
import { reportCommand } from './report.ts';
import { auditCommand } from './audit.ts';
import { openapiCommand } from './openapi.ts';
import { ownersCommand } from './owners.ts';

function buildProgram(): Command {
  return new Command('pinpoint')
    .description('An API gateway that never refuses a request without saying exactly why.')
    .showHelpAfterError()
    .addCommand(startCommand())
    .addCommand(validateCommand())
    .addCommand(whyCommand())
    .addCommand(explainCommand())
    .addCommand(diffCommand())
    .addCommand(replayCommand())
    .addCommand(shadowCommand())
    .addCommand(bisectCommand())
    .addCommand(reportCommand())
    .addCommand(auditCommand())
    .addCommand(openapiCommand())
    .addCommand(logsCommand())
    .addCommand(keysCommand())
    .addCommand(consumersCommand())
    .addCommand(auditLogCommand())
    .addCommand(ownersCommand())
    .addCommand(limitsCommand());
}

async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`pinpoint: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

await main();
