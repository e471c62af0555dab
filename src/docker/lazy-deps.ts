/**
 * Imported before dockerode (see connect.ts): dockerode loads, at its own start, the gRPC stack
 * for BuildKit sessions (`lib/session.js`: @grpc/grpc-js, @grpc/proto-loader) and docker-modem
 * loads ssh2 (`lib/ssh.js`) for ssh:// engines — ~100 ms of module loading on every devpipe
 * command, though devpipe's builds open no BuildKit session (image-builder.ts) and most engines
 * are not reached over ssh. Both modules export one function: they are
 * replaced in the CommonJS cache by functions that load the real module on their first call.
 */
import { createRequire } from 'node:module';

type Cache = Record<string, { id: string; filename: string; loaded: boolean; exports: unknown; children: unknown[]; paths: string[] } | undefined>;

function deferFunctionModule(from: NodeJS.Require, id: string): void {
  let resolved: string;
  try {
    resolved = from.resolve(id);
  } catch {
    return; // a dockerode version without it: nothing to defer
  }
  const cache = from.cache as unknown as Cache;
  if (cache[resolved]) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const deferred = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete cache[resolved];
      real = from(resolved) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports: deferred, children: [], paths: [] };
}

const fromHere = createRequire(import.meta.url);
const fromDockerode = createRequire(fromHere.resolve('dockerode'));
deferFunctionModule(fromDockerode, './session.js');
deferFunctionModule(createRequire(fromDockerode.resolve('docker-modem')), './ssh.js');

export const deferred = true;
