import { YojinError } from '../../errors/index.js';
import type { StixObject } from '../stix/index.js';

const MEDIA = 'application/taxii+json;version=2.1';

export interface Envelope {
  more?: boolean;
  next?: string;
  objects?: StixObject[];
}

/** A minimal TAXII 2.1 client for one API root (Basic auth). */
export class TaxiiClient {
  constructor(
    private readonly apiRoot: string,
    private readonly username?: string,
    private readonly password?: string,
  ) {}

  private headers(extra: Record<string, string> = {}) {
    const h: Record<string, string> = { accept: MEDIA, ...extra };
    if (this.username)
      h.authorization = `Basic ${Buffer.from(`${this.username}:${this.password ?? ''}`).toString('base64')}`;
    return h;
  }

  private url(path: string, query: Record<string, string | undefined> = {}) {
    const u = new URL(path, this.apiRoot.endsWith('/') ? this.apiRoot : `${this.apiRoot}/`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }

  private async check(res: Response, what: string) {
    if (res.ok) return;
    let detail = '';
    try {
      const body = (await res.json()) as { title?: string; description?: string };
      detail = `${body.title ?? ''}${body.description ? `: ${body.description}` : ''}`;
    } catch {
      /* not a TAXII error body */
    }
    throw new YojinError('TAXII_PARTNER_ERROR', `${what} failed with HTTP ${res.status} ${detail}`.trim(), {
      status: res.status,
    });
  }

  /** One page of objects; `dateAddedLast` is the bookmark for the next poll. */
  async getObjects(collection: string, q: { addedAfter?: string; next?: string; limit?: number } = {}) {
    const res = await fetch(
      this.url(`collections/${encodeURIComponent(collection)}/objects/`, {
        added_after: q.addedAfter,
        next: q.next,
        limit: q.limit ? String(q.limit) : undefined,
      }),
      { headers: this.headers() },
    );
    await this.check(res, `GET objects of ${collection}`);
    const envelope = (await res.json()) as Envelope;
    return { envelope, dateAddedLast: res.headers.get('x-taxii-date-added-last') ?? undefined };
  }

  async addObjects(collection: string, objects: StixObject[]) {
    const res = await fetch(this.url(`collections/${encodeURIComponent(collection)}/objects/`), {
      method: 'POST',
      headers: this.headers({ 'content-type': MEDIA }),
      body: JSON.stringify({ objects }),
    });
    await this.check(res, `POST objects to ${collection}`);
    return (await res.json()) as {
      id: string;
      success_count: number;
      failure_count: number;
      failures?: Array<{ id: string; message: string }>;
    };
  }
}
