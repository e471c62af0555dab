#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
  // A failsafe: once the command has finished, a straggling handle (a child process that
  // ignores its cancellation, a socket) must not keep devpipe alive.
  setTimeout(() => process.exit(code), 3000).unref();
});
