// Function keys (F1–F12) for the screen: Ink's useInput reports them without a name, so
// they are read from the raw input events and named with the key table's functionKeyName.
import { EventEmitter } from 'node:events';
import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { functionKeyName } from './keys.js';

/** Ink's stdin context carries the raw input events; function keys are read from there. */
function inputEvents(context: object): EventEmitter | undefined {
  if (!('internal_eventEmitter' in context)) return undefined;
  const emitter = context.internal_eventEmitter;
  return emitter instanceof EventEmitter ? emitter : undefined;
}

/** Calls `handler` with `f1`…`f12` for function keys (useInput reports them without a name). */
export function useFunctionKeys(handler: (name: string) => void, active: boolean): void {
  const stdin = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const emitter = active ? inputEvents(stdin) : undefined;
    if (emitter === undefined) return;
    const onInput = (data: unknown) => {
      const name = typeof data === 'string' ? functionKeyName(data) : undefined;
      if (name !== undefined) latest.current(name);
    };
    emitter.on('input', onInput);
    return () => {
      emitter.off('input', onInput);
    };
  }, [stdin, active]);
}
