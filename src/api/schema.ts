import { type TUnsafe, Type } from '@sinclair/typebox';

/** A string enum as plain JSON Schema `enum` (clearer validation messages and OpenAPI than anyOf). */
export function StringEnum<T extends readonly string[]>(
  values: T,
  opts: Record<string, unknown> = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
