// A small schema kit for control messages: one declaration gives both the runtime check and
// the TypeScript type. Only what the protocol needs (docs/protocol.md §3): integers in a
// range, strings, lowercase hex, literals, enums, string arrays, nullable and optional
// fields. Unknown fields are dropped.

/** What `Field.take` returns for a value the field refuses. */
export const REFUSED: unique symbol = Symbol('refused');

export interface Field<T> {
  /** What the field must be, for error messages. */
  readonly expected: string;
  readonly optional: boolean;
  /** The value to carry (e.g. -0 as 0, a nested object stripped), or REFUSED: one pass. */
  take(value: unknown): T | typeof REFUSED;
}

export interface OptionalField<T> extends Field<T> {
  readonly optional: true;
}

type Out<F> = F extends Field<infer T> ? T : never;
type Shape = Record<string, Field<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalField<unknown> ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Flatten<T> = { [K in keyof T]: T[K] };

/** The object type a shape describes; optional fields become optional properties. */
export type Infer<S extends Shape> = Flatten<
  { [K in RequiredKeys<S>]: Out<S[K]> } & { [K in OptionalKeys<S>]?: Out<S[K]> }
>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ObjectSchema<T> {
  parse(value: unknown): ParseResult<T>;
}

function field<T>(expected: string, take: (value: unknown) => T | typeof REFUSED): Field<T> {
  return { expected, optional: false, take };
}

/** A field whose accepted values are carried as they are. */
function check<T>(expected: string, accepts: (value: unknown) => boolean): Field<T> {
  return field(expected, (v) => (accepts(v) ? (v as T) : REFUSED));
}

export const int = (min = 0, max = Number.MAX_SAFE_INTEGER): Field<number> =>
  field(`an integer from ${min} to ${max}`, (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max
      ? v + 0 // JSON `-0` is the integer 0 (-0 would re-encode as `0` and differ under Object.is)
      : REFUSED,
  );

export const string = (minLength = 0): Field<string> =>
  check(
    minLength > 0 ? 'a non-empty string' : 'a string',
    (v) => typeof v === 'string' && v.length >= minLength,
  );

const HEX64 = /^[0-9a-f]{64}$/;
export const hex64: Field<string> = check(
  '64 lowercase hex digits',
  (v) => typeof v === 'string' && HEX64.test(v),
);

export const strings: Field<string[]> = check(
  'an array of strings',
  (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
);

export const bool: Field<boolean> = check('true or false', (v) => typeof v === 'boolean');

/** A nested object field, checked (and stripped) by its own schema. */
export function nested<T>(schema: ObjectSchema<T>, expected: string): Field<T> {
  return field(expected, (v) => {
    const parsed = schema.parse(v);
    return parsed.ok ? parsed.value : REFUSED;
  });
}

/** An array whose every element is taken by `inner`, with a length in [min, max]. */
export function arrayOf<T>(inner: Field<T>, min = 0, max = Number.MAX_SAFE_INTEGER): Field<T[]> {
  return field(`an array of ${min} to ${max} × ${inner.expected}`, (v) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return REFUSED;
    const out: T[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const taken = inner.take(v[i]);
      if (taken === REFUSED) return REFUSED;
      out[i] = taken;
    }
    return out;
  });
}

export const literal = <const T extends string>(value: T): Field<T> =>
  check(`"${value}"`, (v) => v === value);

export const oneOf = <const T extends string>(...values: T[]): Field<T> =>
  check(`one of ${values.map((v) => `"${v}"`).join(', ')}`, (v) => values.includes(v as T));

export const nullable = <T>(inner: Field<T>): Field<T | null> =>
  field(`${inner.expected} or null`, (v) => (v === null ? null : inner.take(v)));

export const optional = <T>(inner: Field<T>): OptionalField<T> => ({
  ...inner,
  optional: true,
});

/** An object schema: checks each declared field and copies only those. */
export function object<const S extends Shape>(shape: S): ObjectSchema<Infer<S>> {
  const entries = Object.entries(shape);
  return {
    parse(value: unknown): ParseResult<Infer<S>> {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { ok: false, error: 'expected an object' };
      }
      const input = value as Record<string, unknown>;
      const output: Record<string, unknown> = {};
      for (const [key, type] of entries) {
        const v = input[key];
        if (v === undefined && type.optional) continue;
        const taken = type.take(v);
        if (taken === REFUSED) return { ok: false, error: `${key}: expected ${type.expected}` };
        output[key] = taken;
      }
      return { ok: true, value: output as Infer<S> };
    },
  };
}
