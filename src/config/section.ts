import { type TObject, type TProperties, Type } from '@sinclair/typebox';

/**
 * A config section: every key documented, defaults filled in, unknown keys rejected. Lives apart from
 * schema.ts so that capability config files can import it without an import cycle through schema.ts.
 */
export function section<P extends TProperties>(props: P, description: string): TObject<P> {
  return Type.Object(props, { additionalProperties: false, default: {}, description });
}

/** Pattern of a HOST:PORT or [V6]:PORT listen address. */
export const HOST_PORT_PATTERN = '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$';
