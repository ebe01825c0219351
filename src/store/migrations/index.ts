import * as foundation from './0001_foundation.js';

export interface Migration {
  /** Sortable unique id, `NNNN_name`. Ranges by owner: 0001–0099 foundation, 0100 reputation,
   *  0200 enforcement, 0300 notification, 0400 sharing, 0500 reports/UI. */
  id: string;
  sql: string;
}

/** Every migration, in the order they are applied. Forward-only: never edit one that has shipped. */
export const MIGRATIONS: Migration[] = [foundation].sort((a, b) => a.id.localeCompare(b.id));
