/**
 * The OpenAPI formats Kubernetes CRDs use that ajv does not know, for the CRD validators of
 * schema.ts. A module of its own because a cached validator's code requires it by path.
 */
const integer = (min: number, max: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });

export const formats = {
  int32: integer(-(2 ** 31), 2 ** 31 - 1),
  uint32: integer(0, 2 ** 32 - 1),
  int64: integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  double: { type: 'number' as const, validate: Number.isFinite },
  float: { type: 'number' as const, validate: Number.isFinite },
  byte: /^[A-Za-z0-9+/]*={0,2}$/,
};
