/**
 * @module onnx/testutil
 * Test fixtures: one-MatMul ONNX models (x [batch, k] times w [k, 8]) with the weight given raw or
 * as external data, as ONNX's external-data format writes it.
 */
import { DT, ModelProto } from './schema.js';

/** A one-MatMul model whose weight `w` [k, 8] is `init` (e.g. `{ rawData }` or external data). */
export function matmulModel(k: number, init: Record<string, unknown>, batch = 1): Uint8Array {
  const io = (name: string, n: number) => ({
    name,
    type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [{ dimValue: batch }, { dimValue: n }] } } },
  });
  return ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ name: 'mm', opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dataType: DT.FLOAT, dims: [k, 8], ...init }],
      input: [io('x', k)],
      output: [io('y', 8)],
    },
  }).finish();
}

/** {@link matmulModel} with k = 64 and the weight in `location` at `offset`, `length` bytes. */
export function matmulWithExternalWeight(
  location: string,
  offset: number,
  length: number,
  batch = 1,
): Uint8Array {
  const externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: String(offset) },
    { key: 'length', value: String(length) },
  ];
  return matmulModel(64, { dataLocation: 1, externalData }, batch);
}
