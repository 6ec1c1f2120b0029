// What `cftp tui` without an address shows (and any failed connect): host, port, and the
// user and password of servers with accounts (docs/security.md; the password is masked).
// Tab or ↓ next field, ↑ previous, Enter connects, Esc quits (the key table's `form` and
// `input` scopes).
import { escapeControls } from '@cftp/protocol';
import { Box, type Key, Text, useInput } from 'ink';
import { useReducer, useRef } from 'react';
import { fit } from './format.js';
import {
  type Binding,
  type Command,
  DEFAULT_BINDINGS,
  keyName,
  keysFor,
  type Scope,
  splitKeys,
} from './keys.js';
import { editText } from './text-input.js';

export interface ConnectFormProps {
  host: string;
  port: string;
  /** Set while a connect is under way: the fields are locked. */
  connecting: boolean;
  error: string | undefined;
  width: number;
  /** `credentials` only when a user name was typed. */
  onSubmit: (host: string, port: number, credentials?: { user: string; password: string }) => void;
  onQuit: () => void;
  bindings?: readonly Binding[] | undefined;
}

const FORM_SCOPES: readonly Scope[] = ['form', 'input'];

/** Labels are padded to the longest (`Password`), so the fields line up. */
const LABEL_WIDTH = 'Password'.length;
/** Cells of a field row around its value: marker (2), label, ` [` (2) and `]` (1). */
const FIELD_CHROME = 2 + LABEL_WIDTH + 2 + 1;

/** The port as a number, or why it is not one. */
export function parsePort(text: string): number | string {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    return 'the port is a number from 1 to 65535';
  return port;
}

const FIELDS = ['host', 'port', 'user', 'password'] as const;
type Field = (typeof FIELDS)[number];

interface FormState {
  host: string;
  port: string;
  user: string;
  password: string;
  field: Field;
  problem: string | undefined;
}

export function ConnectForm(props: ConnectFormProps) {
  // Kept in a ref so keys that arrive together each see the edit before them.
  const form = useRef<FormState>({
    host: props.host,
    port: props.port,
    user: '',
    password: '',
    field: props.host === '' ? 'host' : 'port',
    problem: undefined,
  });
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  const update = (change: Partial<FormState>) => {
    form.current = { ...form.current, ...change };
    rerender();
  };

  const bindings = props.bindings ?? DEFAULT_BINDINGS;
  const handle = (name: string | undefined, input: string, key: Key) => {
    if (props.connecting) return;
    const { host, port, user, password, field } = form.current;
    const result = editText(bindings, FORM_SCOPES, form.current[field], name, input, key);
    if (result.kind === 'command') {
      if (result.command === 'leaveForm') props.onQuit();
      else if (result.command === 'nextField' || result.command === 'previousField') {
        const step = result.command === 'previousField' ? FIELDS.length - 1 : 1;
        update({ field: FIELDS[(FIELDS.indexOf(field) + step) % FIELDS.length]! });
      }
    } else if (result.kind === 'edit') {
      // A password may hold spaces; the other fields may not.
      const value = field === 'password' ? result.value : result.value.trim();
      update({ [field]: value, problem: undefined });
    } else if (result.kind === 'submit') {
      if (host === '') {
        update({ problem: 'the host is missing', field: 'host' });
        return;
      }
      const parsed = parsePort(port);
      if (typeof parsed === 'string') {
        update({ problem: parsed, field: 'port' });
        return;
      }
      if (user === '') props.onSubmit(host, parsed);
      else props.onSubmit(host, parsed, { user, password });
    }
  };

  useInput((input, key) => {
    // Keys that arrive in one read (a paste, fast typing) are taken one at a time.
    if ([...input].length > 1 && !key.ctrl && !key.meta) {
      for (const press of splitKeys(input)) handle(press.name, press.input, press.key);
    } else handle(keyName(input, key), input, key);
  });

  const { host, port, user, password, field, problem } = form.current;
  const inner = Math.min(60, Math.max(30, props.width - 4));
  const fieldRow = (name: Field, label: string, value: string) => {
    const active = field === name && !props.connecting;
    return (
      <Text wrap="truncate">
        {active ? '> ' : '  '}
        <Text bold={active}>{fit(label, LABEL_WIDTH)}</Text>
        {' ['}
        {fit(active ? `${value}█` : value, inner - FIELD_CHROME)}
        {']'}
      </Text>
    );
  };
  const error = problem ?? props.error;
  const first = (command: Command) => keysFor(bindings, command)[0] ?? '?';
  return (
    <Box
      flexDirection="column"
      borderStyle="double"
      borderColor="cyan"
      paddingX={1}
      width={inner + 4}
    >
      <Text bold color="cyan">
        Connect to a CFTP server
      </Text>
      <Text> </Text>
      {fieldRow('host', 'Host', host)}
      {fieldRow('port', 'Port', port)}
      {fieldRow('user', 'User', user)}
      {fieldRow('password', 'Password', '•'.repeat([...password].length))}
      <Text> </Text>
      {props.connecting ? (
        <Text color="yellow">{`Connecting to ${host}:${port}…`}</Text>
      ) : error !== undefined ? (
        <Text color="red" wrap="wrap">{`error: ${escapeControls(error)}`}</Text>
      ) : (
        <Text dimColor>
          {`${first('submit')} connect · ${first('nextField')} next field · ${first('leaveForm')} quit · user: servers with accounts`}
        </Text>
      )}
    </Box>
  );
}
