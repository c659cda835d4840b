import { BadRequestException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';

/**
 * Every query parameter of this API is single-valued. A repeated one (`?token=a&token=b`) would reach the
 * handlers as an array where they expect a string; refusing it here, before routing, is one rule for all
 * routes (the overlay's token, which needs no API key, included). Parsed as Express's "simple" query parser
 * does (node:querystring), so both agree on names. Express middleware: the error goes through
 * HttpErrorFilter like any other.
 */
export function rejectRepeatedQueryParams(
  req: IncomingMessage,
  _res: ServerResponse,
  next: (err?: unknown) => void,
): void {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return next();
  const repeated = Object.entries(parse(url.slice(q + 1))).find(([, value]) => Array.isArray(value));
  if (repeated) {
    return next(
      new BadRequestException(`query parameter "${repeated[0]}" is given more than once; give it once`),
    );
  }
  next();
}
