import htm from 'htm';
import { h } from 'preact';

/** JSX-like tagged templates without a build-time transform. */
export const html = htm.bind(h);
