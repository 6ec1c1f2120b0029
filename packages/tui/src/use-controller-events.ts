// The screen following the Controller: the local pane listed at start, the connection's
// phases (listing the remote pane when connected, asking to reconnect when it is lost) and
// the transfer queue's changes (refreshing the destination pane when a transfer ends, and
// saying when a get that stopped early kept a partial download).
import { useEffect } from 'react';
import type { ConnectionStatus, Controller } from './controller.js';
import { partialNotice } from './partials.js';
import type { TransferItem } from './transfers.js';
import type { FileOperations } from './use-file-operations.js';
import type { ScreenState } from './use-screen-state.js';

export function useControllerEvents(
  controller: Controller,
  localDir: string,
  { current, dispatch, message }: ScreenState,
  { load }: FileOperations,
): void {
  useEffect(() => {
    load('local', localDir);
  }, [load, localDir]);

  useEffect(() => {
    let lastPhase: ConnectionStatus['phase'] | undefined;
    const onConnection = (status: ConnectionStatus) => {
      const was = lastPhase;
      lastPhase = status.phase;
      dispatch({ type: 'connection', status });
      if (status.phase === 'connected' && was !== 'connected') {
        load('remote', current.current.panes.remote.path);
      } else if (status.phase === 'disconnected' && was === 'connected') {
        const reason = status.error === undefined ? 'closed' : `${status.error.message}`;
        dispatch({ type: 'setMode', mode: { kind: 'confirmReconnect', reason } });
      }
    };
    controller.on('connection', onConnection);
    onConnection(controller.status); // anything that happened before this effect ran
    return () => {
      controller.off('connection', onConnection);
    };
  }, [controller, load, dispatch, current]);

  useEffect(() => {
    // A listing entry left out (§6.1): said on the message line, the pane shows the rest.
    const onWarning = (warning: { code: string; message: string }) =>
      message(`warning: ${warning.message} (${warning.code})`, 'info');
    controller.on('warning', onWarning);
    return () => {
      controller.off('warning', onWarning);
    };
  }, [controller, message]);

  useEffect(() => {
    const transfers = controller.transfers;
    const onChange = () => dispatch({ type: 'transfers', items: transfers.snapshot() });
    const onFinished = (item: TransferItem) => {
      const { side, folder } = item.destination;
      // Also after a failure or a cancel: what the transfer left (or removed) is shown.
      const pane = current.current.panes[side];
      if (pane.path === folder) load(side, folder);
      const error = item.error;
      const failed =
        item.state === 'failed' && error !== undefined
          ? `${item.direction} ${item.name} failed: ${error.message} (${error.code})`
          : undefined;
      if (failed !== undefined) message(failed, 'error');
      // A get that stopped early may have kept a partial for resume: say so, and where.
      void partialNotice(item).then((notice) => {
        if (notice === undefined) return;
        message(
          failed === undefined ? notice : `${failed}; ${notice}`,
          failed === undefined ? 'info' : 'error',
        );
      });
    };
    transfers.on('change', onChange);
    transfers.on('finished', onFinished);
    onChange();
    return () => {
      transfers.off('change', onChange);
      transfers.off('finished', onFinished);
    };
  }, [controller, load, message, dispatch, current]);
}
