/**
 * @module onnx/testutil
 * Test fixtures: a one-MatMul ONNX model (x [batch, 64] times w [64, 8]) whose weight is external
 * data in another file (`location`, `offset`, `length` bytes), as ONNX's external-data format writes it.
 */
import { DT, ModelProto } from './schema.js';

export function matmulWithExternalWeight(
  location: string,
  offset: number,
  length: number,
  batch = 1,
): Uint8Array {
  const dims = (a: number, b: number) => ({ dim: [{ dimValue: a }, { dimValue: b }] });
  return ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ name: 'mm', opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
      initializer: [
        {
          name: 'w',
          dataType: DT.FLOAT,
          dims: [64, 8],
          dataLocation: 1,
          externalData: [
            { key: 'location', value: location },
            { key: 'offset', value: String(offset) },
            { key: 'length', value: String(length) },
          ],
        },
      ],
      input: [{ name: 'x', type: { tensorType: { elemType: DT.FLOAT, shape: dims(batch, 64) } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: DT.FLOAT, shape: dims(batch, 8) } } }],
    },
  }).finish();
}
