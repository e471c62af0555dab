/** `dev`'s keys on a TTY: r rebuild all, e e2e, l logs, q (or Ctrl-C) quit. Returns the unbinding. */
export interface DevKeyActions {
  rebuildAll(): void;
  e2e(): void;
  toggleLogs(): void;
  quit(): void;
}

export function bindDevKeys(stdin: NodeJS.ReadStream, actions: DevKeyActions): () => void {
  if (!stdin.isTTY) return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer) => {
    const key = data.toString();
    if (key === 'q' || key === '\u0003') actions.quit();
    else if (key === 'r') actions.rebuildAll();
    else if (key === 'e') actions.e2e();
    else if (key === 'l') actions.toggleLogs();
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
