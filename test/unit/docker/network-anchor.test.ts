import test from 'ava';
import { DockerNetworkAnchor, idleProgram } from '../../../src/docker/network-anchor.js';

/** The fields a kernel reads to load a static ELF64 executable. */
function parse(elf: Buffer) {
  return {
    magic: elf.subarray(0, 4).toString('latin1'),
    klass: elf.readUInt8(4),
    endian: elf.readUInt8(5),
    type: elf.readUInt16LE(16),
    machine: elf.readUInt16LE(18),
    entry: elf.readBigUInt64LE(24),
    phoff: elf.readBigUInt64LE(32),
    phnum: elf.readUInt16LE(56),
    segment: { type: elf.readUInt32LE(64), flags: elf.readUInt32LE(68), offset: elf.readBigUInt64LE(72), vaddr: elf.readBigUInt64LE(80), filesz: elf.readBigUInt64LE(96), memsz: elf.readBigUInt64LE(104) },
    code: elf.subarray(120),
  };
}

test('the idle program: a loadable static ELF64 for amd64 (pause loop) and arm64 (ppoll loop)', (t) => {
  for (const [arch, machine] of [['amd64', 0x3e], ['x86_64', 0x3e], ['arm64', 0xb7], ['aarch64', 0xb7]] as const) {
    const elf = idleProgram(arch);
    if (!elf) return t.fail(`no program for ${arch}`);
    const p = parse(elf);
    t.is(p.magic, '\x7fELF');
    t.is(p.klass, 2, '64-bit');
    t.is(p.endian, 1, 'little-endian');
    t.is(p.type, 2, 'ET_EXEC');
    t.is(p.machine, machine);
    t.is(p.entry, 0x400078n, 'entry right after the headers');
    t.is(p.phoff, 64n);
    t.is(p.phnum, 1);
    t.deepEqual(p.segment, { type: 1, flags: 5, offset: 0n, vaddr: 0x400000n, filesz: BigInt(elf.length), memsz: BigInt(elf.length) });
  }
  t.deepEqual([...parse(idleProgram('amd64')!).code], [0xb8, 0x22, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7], 'mov eax, 34 (pause); syscall; jmp back');
  const arm = parse(idleProgram('arm64')!).code;
  t.is(arm.length, 28);
  t.is(arm.readUInt32LE(16), 0xd2800928, 'mov x8, #73 (ppoll)');
  t.is(arm.readUInt32LE(24), 0x17fffffa, 'b back to the first instruction');
  t.is(idleProgram('s390x'), undefined, 'no anchor on other architectures (redeploys work without it)');
});

test('anchor container names are valid and per network', (t) => {
  t.is(DockerNetworkAnchor.nameFor('devpipe-myservice'), 'devpipe-myservice-devpipe-anchor');
  t.regex(DockerNetworkAnchor.nameFor('odd name/with:chars'), /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
});
