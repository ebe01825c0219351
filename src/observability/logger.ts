import { type Logger, pino } from 'pino';
import type { Config } from '../config/index.js';

export type { Logger } from 'pino';

/** Structured JSON logs; readable (pino-pretty) when stderr is a terminal and format is auto. */
export function createLogger(
  config: Pick<Config, 'log'>,
  stream: NodeJS.WritableStream = process.stderr,
): Logger {
  const pretty =
    config.log.format === 'pretty' || (config.log.format === 'auto' && process.stderr.isTTY === true);
  if (pretty) {
    return pino({
      level: config.log.level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ level: config.log.level, base: { service: 'yojin' } }, stream);
}
