/**
 * @module onnx/schema
 * The ONNX protobuf messages this module reads and writes, as a protobufjs JSON descriptor written
 * from the field numbers of ONNX's IR specification (onnx/onnx.in.proto). Reading needs only these
 * fields; writing copies every other field byte for byte (write.ts), so fields missing here are
 * never lost.
 */
import protobuf from 'protobufjs/light.js';

const rep = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });
const one = (type: string, id: number) => ({ type, id });

const descriptor = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: { fields: { key: one('string', 1), value: one('string', 2) } },
        OperatorSetIdProto: { fields: { domain: one('string', 1), version: one('int64', 2) } },
        TensorProto: {
          fields: {
            dims: rep('int64', 1),
            dataType: one('int32', 2),
            floatData: rep('float', 4),
            int32Data: rep('int32', 5),
            stringData: rep('bytes', 6),
            int64Data: rep('int64', 7),
            name: one('string', 8),
            rawData: one('bytes', 9),
            doubleData: rep('double', 10),
            uint64Data: rep('uint64', 11),
            docString: one('string', 12),
            externalData: rep('StringStringEntryProto', 13),
            dataLocation: one('int32', 14),
          },
        },
        SparseTensorProto: {
          fields: { values: one('TensorProto', 1), indices: one('TensorProto', 2), dims: rep('int64', 3) },
        },
        AttributeProto: {
          fields: {
            name: one('string', 1),
            f: one('float', 2),
            i: one('int64', 3),
            s: one('bytes', 4),
            t: one('TensorProto', 5),
            g: one('GraphProto', 6),
            floats: rep('float', 7),
            ints: rep('int64', 8),
            strings: rep('bytes', 9),
            tensors: rep('TensorProto', 10),
            graphs: rep('GraphProto', 11),
            docString: one('string', 13),
            type: one('int32', 20),
            refAttrName: one('string', 21),
            sparseTensor: one('SparseTensorProto', 22),
            sparseTensors: rep('SparseTensorProto', 23),
          },
        },
        NodeProto: {
          fields: {
            input: rep('string', 1),
            output: rep('string', 2),
            name: one('string', 3),
            opType: one('string', 4),
            attribute: rep('AttributeProto', 5),
            docString: one('string', 6),
            domain: one('string', 7),
          },
        },
        TensorShapeProto: {
          fields: { dim: rep('Dimension', 1) },
          nested: {
            Dimension: {
              fields: { dimValue: one('int64', 1), dimParam: one('string', 2), denotation: one('string', 3) },
            },
          },
        },
        TypeProto: {
          fields: { tensorType: one('TensorTypeProto', 1), denotation: one('string', 6) },
        },
        TensorTypeProto: {
          fields: { elemType: one('int32', 1), shape: one('TensorShapeProto', 2) },
        },
        ValueInfoProto: {
          fields: { name: one('string', 1), type: one('TypeProto', 2), docString: one('string', 3) },
        },
        GraphProto: {
          fields: {
            node: rep('NodeProto', 1),
            name: one('string', 2),
            initializer: rep('TensorProto', 5),
            docString: one('string', 10),
            input: rep('ValueInfoProto', 11),
            output: rep('ValueInfoProto', 12),
            valueInfo: rep('ValueInfoProto', 13),
            sparseInitializer: rep('SparseTensorProto', 15),
          },
        },
        ModelProto: {
          fields: {
            irVersion: one('int64', 1),
            producerName: one('string', 2),
            producerVersion: one('string', 3),
            domain: one('string', 4),
            modelVersion: one('int64', 5),
            docString: one('string', 6),
            graph: one('GraphProto', 7),
            opsetImport: rep('OperatorSetIdProto', 8),
            metadataProps: rep('StringStringEntryProto', 14),
          },
        },
      },
    },
  },
};

export const root = protobuf.Root.fromJSON(descriptor);
export const ModelProto = root.lookupType('onnx.ModelProto');
export const GraphProto = root.lookupType('onnx.GraphProto');
export const NodeProto = root.lookupType('onnx.NodeProto');
export const TensorProto = root.lookupType('onnx.TensorProto');
export const OperatorSetIdProto = root.lookupType('onnx.OperatorSetIdProto');
export const ValueInfoProto = root.lookupType('onnx.ValueInfoProto');

/** A 64-bit integer as protobufjs decodes it (a Long when `long` is installed). */
export type Int64 = number | { toNumber(): number; low: number; high: number };

export interface Entry {
  key: string;
  value: string;
}
export interface Tensor {
  dims: Int64[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  doubleData: number[];
  uint64Data: Int64[];
  stringData: Uint8Array[];
  name: string;
  rawData: Uint8Array;
  docString: string;
  externalData: Entry[];
  dataLocation: number;
}
export interface Attribute {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: Tensor | null;
  g?: Graph | null;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: Tensor[];
  graphs: Graph[];
  sparseTensor?: unknown;
}
export interface Node {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: Attribute[];
  docString: string;
}
export interface ValueInfo {
  name: string;
  type?: {
    tensorType?: {
      elemType: number;
      shape?: { dim: { dimValue?: Int64; dimParam?: string }[] } | null;
    } | null;
  } | null;
}
export interface Graph {
  node: Node[];
  name: string;
  initializer: Tensor[];
  input: ValueInfo[];
  output: ValueInfo[];
  valueInfo: ValueInfo[];
  sparseInitializer: unknown[];
}
export interface Model {
  irVersion: Int64;
  producerName: string;
  producerVersion: string;
  graph?: Graph | null;
  opsetImport: { domain: string; version: Int64 }[];
}

/** A decoded 64-bit integer as a JavaScript number (exact below 2^53). */
export function int(v: Int64 | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** TensorProto.DataType values (ONNX IR), with element sizes in bits; 0 bits marks a non-fixed-size type. */
export const DATA_TYPES: Readonly<Record<number, { name: string; bits: number }>> = {
  1: { name: 'FLOAT', bits: 32 },
  2: { name: 'UINT8', bits: 8 },
  3: { name: 'INT8', bits: 8 },
  4: { name: 'UINT16', bits: 16 },
  5: { name: 'INT16', bits: 16 },
  6: { name: 'INT32', bits: 32 },
  7: { name: 'INT64', bits: 64 },
  8: { name: 'STRING', bits: 0 },
  9: { name: 'BOOL', bits: 8 },
  10: { name: 'FLOAT16', bits: 16 },
  11: { name: 'DOUBLE', bits: 64 },
  12: { name: 'UINT32', bits: 32 },
  13: { name: 'UINT64', bits: 64 },
  14: { name: 'COMPLEX64', bits: 64 },
  15: { name: 'COMPLEX128', bits: 128 },
  16: { name: 'BFLOAT16', bits: 16 },
  17: { name: 'FLOAT8E4M3FN', bits: 8 },
  18: { name: 'FLOAT8E4M3FNUZ', bits: 8 },
  19: { name: 'FLOAT8E5M2', bits: 8 },
  20: { name: 'FLOAT8E5M2FNUZ', bits: 8 },
  21: { name: 'UINT4', bits: 4 },
  22: { name: 'INT4', bits: 4 },
  23: { name: 'FLOAT4E2M1', bits: 4 },
  24: { name: 'FLOAT8E8M0', bits: 8 },
};

export const DT = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT64: 7,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  FLOAT4E2M1: 23,
} as const;
