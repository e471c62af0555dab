/**
 * The secret source of `devpipe ci`'s `run.credentials`: the same fake secrets as the local stack
 * (`--secrets FILE` or DEVPIPE_SECRETS_FILE > DEVPIPE_SECRET_<ID> > the user's secrets file > the
 * fakes declared in .pipeline/devpipe.yaml). Without a secrets file it is loaded on first use, so
 * a pipeline without credentials never reads devpipe.yaml.
 */
import type { SecretSource } from '../../engine/ci/index.js';
import type { Context } from '../context.js';
import { credentialSource } from '../stack.js';

export async function ciSecretSource(ctx: Context, file: string | undefined): Promise<SecretSource> {
  const secretsFile = file ?? ctx.env.DEVPIPE_SECRETS_FILE;
  let loaded: ReturnType<typeof credentialSource> | undefined;
  // A secrets file named by the user is checked before anything runs (exit 2 when it is bad).
  if (secretsFile) await (loaded = credentialSource(ctx, secretsFile));
  let description = `${secretsFile ? `--secrets ${secretsFile}, ` : ''}env DEVPIPE_SECRET_<ID>, your secrets file, fakes in .pipeline/devpipe.yaml`;
  return {
    async get(id: string): Promise<string | undefined> {
      loaded ??= credentialSource(ctx, secretsFile);
      const source = await loaded;
      description = source.describe();
      return source.get(id);
    },
    describe: () => description,
  };
}
