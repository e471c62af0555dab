/**
 * The secret source of `devpipe ci`'s `run.credentials`: the same fake secrets as the local stack
 * (`--secrets FILE` or DEVPIPE_SECRETS_FILE > DEVPIPE_SECRET_<ID> > the user's secrets file > the
 * fakes declared in .pipeline/devpipe.yaml). Without a secrets file it is loaded on first use, so
 * a pipeline without credentials never reads devpipe.yaml.
 */
import type { CredentialSource } from '../ci/index.js';
import { MIN_SECRET_LENGTH } from '../stack/redact.js';
import { DevpipeError } from '../../errors.js';
import { credentialSource } from './secrets.js';
import type { Workspace } from './workspace.js';

export async function ciCredentialSource(ws: Workspace, file: string | undefined): Promise<CredentialSource> {
  const secretsFile = file ?? ws.env.DEVPIPE_SECRETS_FILE;
  let loaded: ReturnType<typeof credentialSource> | undefined;
  // A secrets file named by the user is checked before anything runs (exit 2 when it is bad).
  if (secretsFile) await (loaded = credentialSource(ws, secretsFile));
  let description = `${secretsFile ? `--secrets ${secretsFile}, ` : ''}env DEVPIPE_SECRET_<ID>, your secrets file, fakes in .pipeline/devpipe.yaml`;
  return {
    async get(id: string): Promise<string | undefined> {
      loaded ??= credentialSource(ws, secretsFile);
      const source = await loaded;
      description = source.describe();
      const value = await source.get(id);
      if (value !== undefined) {
        // Too short to find or redact reliably: refused before the stage runs (exit 2).
        if (value.length < MIN_SECRET_LENGTH) {
          throw new DevpipeError('spec', `credential "${id}": a value must have at least ${MIN_SECRET_LENGTH} characters (it has ${value.length})`, {
            hint: `give a longer, distinctive fake value in ${description}`,
          });
        }
        // From now on every output, event and record of this run redacts it.
        ws.redactor.add([{ name: id, value }]);
      }
      return value;
    },
    describe: () => description,
  };
}
