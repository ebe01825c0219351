import { type TProperties, Type } from '@sinclair/typebox';

// Local twin of config/schema.ts's section(): importing that file from here would be a cycle.
function section<P extends TProperties>(props: P, description: string) {
  return Type.Object(props, { additionalProperties: false, default: {}, description });
}

/** `[attribution]` (docs/configuration.md, docs/attribution.md). */
export const attributionConfig = section(
  {
    clock_skew_seconds: Type.Integer({
      default: 120,
      minimum: 0,
      maximum: 86_400,
      description:
        'Tolerance between the evidence clock and the assignment logs: an assignment matches if it overlaps seen_at ± this.',
    }),
    batch_size: Type.Integer({
      default: 50_000,
      minimum: 1,
      maximum: 10_000_000,
      description: 'Evidence rows attributed per set-based join (one transaction and one audit batch each).',
    }),
    dhcp_subscriber_field: Type.Union(
      ['remote-id', 'circuit-id', 'hardware', 'client-id', 'hostname'].map((v) => Type.Literal(v)),
      {
        default: 'remote-id',
        description:
          'Which DHCP lease field is the subscriber id (dhcpd-leases, kea-csv): option agent.remote-id, agent.circuit-id, hardware address, client id/DUID or hostname.',
      },
    ),
  },
  'Attribution of evidence to subscribers (assignment logs, clock skew).',
);
