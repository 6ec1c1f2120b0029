import { describe, expect, it } from 'vitest';
import {
  COMMAND_NAMES,
  COMMANDS,
  findCommand,
  helpLines,
  parseCommandArgs,
} from '../src/commands.js';

describe('the command table', () => {
  it('has every command of the issue, with aliases', () => {
    const expected = [
      'bye',
      'cd',
      'clear',
      'exit',
      'get',
      'help',
      'lcd',
      'lls',
      'lpwd',
      'ls',
      'mget',
      'mkdir',
      'mput',
      'mv',
      'partials',
      'put',
      'pwd',
      'quit',
      'rename',
      'rm',
      'rmdir',
      'stat',
      'sync',
    ];
    expect([...COMMAND_NAMES]).toEqual(expected);
    expect(findCommand('mv').name).toBe('rename');
    expect(findCommand('bye').name).toBe('quit');
  });

  it('refuses an unknown command with EUSAGE', () => {
    expect(() => findCommand('dir')).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });

  it('help has one line per command, starting with its usage', () => {
    const lines = helpLines(COMMANDS);
    expect(lines).toHaveLength(COMMANDS.length);
    COMMANDS.forEach((command, i) => {
      expect(lines[i]!.trimStart().startsWith(command.usage)).toBe(true);
      expect(lines[i]).toContain(command.help);
    });
  });

  it('help fits 120 columns and names each alias once', () => {
    for (const line of helpLines(COMMANDS)) expect(line.length).toBeLessThan(120);
    const quit = helpLines([findCommand('quit')])[0]!;
    expect(quit.match(/bye/g)).toHaveLength(1);
    expect(quit).toContain('(also: exit, bye)');
  });

  it('has clear, and -n on get, put, mget and mput', () => {
    expect(findCommand('clear').name).toBe('clear');
    for (const name of ['get', 'put', 'mget', 'mput']) {
      expect(parseCommandArgs(findCommand(name), ['-n', 'a']).flags).toEqual({
        'no-clobber': true,
      });
    }
  });
});

describe('options and arguments', () => {
  const get = findCommand('get');

  it.each([
    [['a.txt'], {}, ['a.txt']],
    [['-r', 'dir'], { recursive: true }, ['dir']],
    [['-rc', 'dir', 'local'], { recursive: true, continue: true }, ['dir', 'local']],
    [['-c', 'a', '-r'], { recursive: true, continue: true }, ['a']],
    [['--recursive', 'dir'], { recursive: true }, ['dir']],
    [['--', '-odd-name'], {}, ['-odd-name']],
  ])('get %j', (words, flags, args) => {
    expect(parseCommandArgs(get, words)).toEqual({ flags, args });
  });

  it.each([
    ['get', []],
    ['get', ['a', 'b', 'c']],
    ['get', ['-x', 'a']],
    ['ls', ['-r']],
    ['ls', ['a', 'b']],
    ['pwd', ['x']],
    ['rename', ['only-one']],
    ['mkdir', []],
    ['quit', ['now']],
  ])('%s %j is EUSAGE with the usage', (name, words) => {
    const spec = findCommand(name);
    expect(() => parseCommandArgs(spec, words)).toThrow(
      expect.objectContaining({ code: 'EUSAGE', message: expect.stringContaining(spec.usage) }),
    );
  });

  it.each([
    [['-x', 'a'], '-x'],
    [['--bogus', 'a'], '--bogus'],
    [['-rx', 'a'], '-x'],
  ])('put %j names the unknown option once, in plain quotes', (words, option) => {
    const error = (() => {
      try {
        parseCommandArgs(findCommand('put'), words);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('accepted');
    })();
    expect(error.message).toBe(
      `unknown option "${option}" (a name that starts with "-" goes after "--"); usage: put [-rcpnLl] <local> [remote]`,
    );
  });

  it('takes any number of paths where the usage says ...', () => {
    const paths = Array.from({ length: 50 }, (_, i) => `f${i}`);
    expect(parseCommandArgs(findCommand('rm'), paths).args).toEqual(paths);
  });
});
