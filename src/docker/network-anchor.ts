/**
 * DockerNetworkAnchor: an idle container that keeps a bridge network from ever being empty while
 * the dev loop replaces the network's only container.
 *
 * Why: when the last container leaves a Linux bridge, the bridge loses its carrier and the kernel
 * flushes its neighbour (ARP) entries. A client that connects while the replacement starts (a
 * browser, a poller) makes the port proxy dial the container's address before its interface is
 * up; that ARP request is dropped on the carrier-less bridge and the kernel asks again only after
 * a second (`retrans_time_ms`), so every request hangs ~1 s after each redeploy. With another
 * endpoint on the bridge the carrier stays up, the neighbour entry survives, and the new container
 * answers as soon as it starts (measured: first answer ~60 ms after start instead of ~1 s).
 *
 * The anchor runs a static program of 129 (amd64) or 148 (arm64) bytes that only waits (pause(2) / ppoll(2)), imported as a
 * one-file image: no registry, no base image, no CPU, ~100 KB of memory. It carries
 * `devpipe.project` and `devpipe.role=anchor`; `devpipe down` removes it before the network.
 */
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { DevpipeError } from '../errors.js';
import { POD_IMAGE, POD_PROGRAM, type PodImages } from '../ports.js';
import { dockerError } from './problems.js';
import { LABEL_MANAGED_BY, LABEL_ROLE, MANAGED_BY } from '../engine/labels.js';


/** A minimal static ELF64 executable: one PT_LOAD segment at 0x400000, code at 0x400078. */
function elf(machine: number, code: Buffer): Buffer {
  const size = 64 + 56 + code.length;
  const header = Buffer.alloc(64);
  header.write('\x7fELF', 0, 'latin1');
  header.writeUInt8(2, 4); // 64-bit
  header.writeUInt8(1, 5); // little-endian
  header.writeUInt8(1, 6); // ELF version
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(0x400078n, 24); // entry
  header.writeBigUInt64LE(64n, 32); // program headers right after this header
  header.writeUInt16LE(64, 52); // header size
  header.writeUInt16LE(56, 54); // program header size
  header.writeUInt16LE(1, 56); // one program header
  const segment = Buffer.alloc(56);
  segment.writeUInt32LE(1, 0); // PT_LOAD
  segment.writeUInt32LE(5, 4); // R+X
  segment.writeBigUInt64LE(0x400000n, 16); // vaddr
  segment.writeBigUInt64LE(0x400000n, 24); // paddr
  segment.writeBigUInt64LE(BigInt(size), 32);
  segment.writeBigUInt64LE(BigInt(size), 40);
  segment.writeBigUInt64LE(0x1000n, 48);
  return Buffer.concat([header, segment, code]);
}

const words = (...w: number[]) => Buffer.concat(w.map((x) => Buffer.from(Uint32Array.of(x).buffer)));

/** The idle program for an engine architecture (Docker's `Arch`/`Architecture` names), or undefined. */
export function idleProgram(arch: string): Buffer | undefined {
  switch (arch) {
    case 'amd64':
    case 'x86_64':
      // loop: mov eax, 34 (pause); syscall; jmp loop
      return elf(0x3e, Buffer.from([0xb8, 0x22, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7]));
    case 'arm64':
    case 'aarch64':
      // loop: x0..x3 = 0; x8 = 73 (ppoll: no fds, no timeout); svc #0; b loop
      return elf(0xb7, words(0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa));
    default:
      return undefined;
  }
}

async function rootfs(program: Buffer): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name: POD_PROGRAM.slice(1), mode: 0o755, uid: 0, gid: 0 }, program);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const conflict = (error: unknown) => (error as { statusCode?: number }).statusCode === 409;

export class DockerNetworkAnchor implements PodImages {
  #image: Promise<boolean> | undefined;

  constructor(private readonly docker: Docker) {}

  /** The pod image for the stack's pods (the same program as the anchors). */
  async ensure(): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.image();
    } catch (error) {
      throw dockerError(error, `importing ${POD_IMAGE}`);
    }
    if (!ok) {
      throw new DevpipeError('environment', `this engine's architecture has no ${POD_IMAGE} program (devpipe ships amd64 and arm64)`, {
        hint: 'set `settings: {pods: false}` in .pipeline/devpipe.yaml: services then hold their network themselves (redeploys take ~250 ms longer)',
      });
    }
  }

  /** The anchor image, imported once from the built-in program; false on an unknown architecture. */
  image(): Promise<boolean> {
    this.#image ??= (async () => {
      if (await this.docker.getImage(POD_IMAGE).inspect().then(() => true, () => false)) return true;
      const info = (await this.docker.info()) as { Architecture?: string };
      const program = idleProgram(info.Architecture ?? '');
      if (!program) return false;
      const [repo, tag] = POD_IMAGE.split(':') as [string, string];
      const stream = await this.docker.importImage(Readable.from([await rootfs(program)]) as unknown as string, { repo, tag });
      await new Promise((resolve, reject) => this.docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))));
      return true;
    })();
    this.#image.catch(() => (this.#image = undefined));
    return this.#image;
  }

  /** The anchor's container name on a network. */
  static nameFor(network: string): string {
    return `${network.replace(/[^a-zA-Z0-9_.-]+/g, '-')}-devpipe-anchor`;
  }

  /** Ensures a running anchor on the network (idempotent, safe to race). False when none can run. */
  async anchor(network: string, labels: Readonly<Record<string, string>>): Promise<boolean> {
    if (!(await this.image())) return false;
    const name = DockerNetworkAnchor.nameFor(network);
    let container = this.docker.getContainer(name);
    try {
      container = await this.docker.createContainer({
        name,
        Image: POD_IMAGE,
        Cmd: [POD_PROGRAM],
        Labels: { ...labels, [LABEL_ROLE]: 'anchor', [LABEL_MANAGED_BY]: MANAGED_BY },
        HostConfig: { NetworkMode: network, LogConfig: { Type: 'none', Config: {} } },
      });
    } catch (error) {
      if (!conflict(error)) throw error;
    }
    const state = (await container.inspect()).State;
    if (!state.Running) {
      await container.start().catch((error: unknown) => {
        // 304: started meanwhile by a racing anchor()
        if ((error as { statusCode?: number }).statusCode !== 304) throw error;
      });
    }
    return true;
  }
}
