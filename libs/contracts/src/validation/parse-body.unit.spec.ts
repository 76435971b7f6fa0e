import { z } from 'zod';
import { parseBody } from './parse-body';

describe('parseBody', () => {
  const schema = z.strictObject({
    name: z.string({ error: 'must be text' }),
    items: z.array(z.strictObject({ qty: z.int({ error: 'must be an integer' }) })),
  });

  it('returns the parsed value', () => {
    expect(parseBody(schema, { name: 'a', items: [{ qty: 1 }] })).toEqual({
      ok: true,
      value: { name: 'a', items: [{ qty: 1 }] },
    });
  });

  it('names each offending field by its dotted path', () => {
    expect(parseBody(schema, { name: 1, items: [{ qty: 1 }, { qty: 'x' }] })).toEqual({
      ok: false,
      issues: [
        { field: 'name', message: 'must be text' },
        { field: 'items.1.qty', message: 'must be an integer' },
      ],
    });
  });

  it('splits unexpected keys into one issue each, at their own path', () => {
    expect(parseBody(schema, { name: 'a', items: [{ qty: 1, colour: 'red' }], a: 1, b: 2 })).toEqual({
      ok: false,
      issues: [
        { field: 'items.0.colour', message: 'is not a known field' },
        { field: 'a', message: 'is not a known field' },
        { field: 'b', message: 'is not a known field' },
      ],
    });
  });
});
