import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { YojinError } from '../errors/index.js';

const day = Type.Integer({ minimum: 0, description: 'day of the scenario, 0 = start' });
const name = Type.String({
  pattern: '^[a-z0-9.-]+\\.(example|test|invalid)$',
  description: 'a reserved test name',
});

const Outbreak = Type.Object(
  {
    type: Type.Literal('outbreak'),
    day,
    family: Type.String({ pattern: '^[a-z0-9-]+$' }),
    infected: Type.Integer({ minimum: 1 }),
    c2: Type.Optional(Type.Array(name, { minItems: 1 })),
    // Evidence stops after this many days (the subscriber cleaned up); evidence past the first notice
    // earns a reminder once the observation week is over (the ground truth counts it).
    duration_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
  },
  { additionalProperties: false },
);
const Phishing = Type.Object(
  {
    type: Type.Literal('phishing-wave'),
    day,
    sites: Type.Integer({ minimum: 1 }),
    victims: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
const FalsePositive = Type.Object(
  {
    type: Type.Literal('false-positive'),
    day,
    site: name,
    reporter: Type.String({ minLength: 3 }),
    reason: Type.Optional(Type.String()),
    review_after_hours: Type.Optional(Type.Number({ minimum: 0, maximum: 23 })),
  },
  { additionalProperties: false },
);
const OpenResolvers = Type.Object(
  { type: Type.Literal('open-resolvers'), day, count: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
const CompromisedSite = Type.Object(
  { type: Type.Literal('compromised-site'), day, site: name },
  { additionalProperties: false },
);

const INCIDENTS = {
  outbreak: Outbreak,
  'phishing-wave': Phishing,
  'false-positive': FalsePositive,
  'open-resolvers': OpenResolvers,
  'compromised-site': CompromisedSite,
};

export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    description: Type.Optional(Type.String()),
    seed: Type.Integer({ minimum: 0 }),
    start: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'first day, UTC (YYYY-MM-DD)' }),
    days: Type.Integer({ minimum: 1, maximum: 3650 }),
    subscribers: Type.Integer({ minimum: 4 }),
    english: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'share of subscribers with language en' }),
    ),
    opted_out: Type.Optional(
      Type.Integer({ minimum: 0, description: 'subscribers who opted out of warn-malicious-site' }),
    ),
    indicators: Type.Optional(Type.Integer({ minimum: 0, description: 'background listings per feed' })),
    browsing: Type.Optional(
      Type.Integer({ minimum: 0, description: 'ordinary DNS queries per subscriber per day' }),
    ),
    incidents: Type.Array(Type.Union([Outbreak, Phishing, FalsePositive, OpenResolvers, CompromisedSite]), {
      default: [],
    }),
  },
  { additionalProperties: false },
);
export type Scenario = Static<typeof ScenarioSchema>;
export type Incident = Scenario['incidents'][number];

/** Parses and validates a scenario; every problem is named with its path (e.g. /incidents/2/day). */
export function parseScenario(text: string, where = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new YojinError('DEMO_SCENARIO_INVALID', `${where}: not valid YAML: ${(e as Error).message}`);
  }
  if (raw && typeof raw === 'object' && Array.isArray((raw as { incidents?: unknown }).incidents)) {
    // Point at the incident whose type is wrong instead of listing every union branch's complaints.
    const types = Object.keys(INCIDENTS);
    (raw as { incidents: unknown[] }).incidents.forEach((inc, i) => {
      const t = (inc as { type?: unknown })?.type;
      if (typeof t !== 'string' || !types.includes(t))
        throw new YojinError(
          'DEMO_SCENARIO_INVALID',
          `${where}: /incidents/${i}/type must be one of ${types.join(', ')} (got ${JSON.stringify(t)})`,
        );
      const schema = INCIDENTS[t as keyof typeof INCIDENTS];
      const errs = [...Value.Errors(schema, inc)]
        .slice(0, 3)
        .map((e) => `/incidents/${i}${e.path}: ${e.message}`);
      if (errs.length) throw new YojinError('DEMO_SCENARIO_INVALID', `${where}: ${errs.join('; ')}`);
    });
  }
  const withDefaults = Value.Default(ScenarioSchema, raw ?? {});
  if (!Value.Check(ScenarioSchema, withDefaults)) {
    const errs = [...Value.Errors(ScenarioSchema, withDefaults)]
      .filter((e) => !e.path.match(/^\/incidents\/\d+$/))
      .slice(0, 5)
      .map((e) => `${e.path || '/'}: ${e.message}`);
    throw new YojinError('DEMO_SCENARIO_INVALID', `${where}: ${errs.join('; ')}`);
  }
  const s = withDefaults as Scenario;
  s.incidents.forEach((inc, i) => {
    if (inc.day >= s.days)
      throw new YojinError(
        'DEMO_SCENARIO_INVALID',
        `${where}: /incidents/${i}/day is ${inc.day} but the scenario has only ${s.days} days (0–${s.days - 1})`,
      );
  });
  const infected = s.incidents.reduce(
    (n, x) => n + (x.type === 'outbreak' ? x.infected : x.type === 'open-resolvers' ? x.count : 0),
    0,
  );
  if (infected > s.subscribers)
    throw new YojinError(
      'DEMO_SCENARIO_INVALID',
      `${where}: incidents need ${infected} subscribers but there are only ${s.subscribers}`,
    );
  if (Number.isNaN(Date.parse(`${s.start}T00:00:00Z`)))
    throw new YojinError('DEMO_SCENARIO_INVALID', `${where}: /start is not a date`);
  return s;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new YojinError('DEMO_SCENARIO_INVALID', `cannot read scenario file ${path}`);
  }
  return parseScenario(text, path);
}
