import { runCli } from './main';

// The compiled CLI's entry point (`node dist/cli/run.js <command>`, the image's `migrate`); bin/homeward runs the TypeScript.
runCli(process.argv.slice(2));
