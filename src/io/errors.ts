/**
 * @module io/errors
 * The one error type of the io layer. Every rejection names the file, the tensor when there is
 * one, and the rule broken, and carries a stable `code` for programs to branch on.
 */

/** Why a file, header, index or write was refused. */
export type SafetensorsErrorCode =
  // the 8-byte length prefix
  | 'HeaderTooSmall'
  | 'HeaderTooLarge'
  | 'InvalidHeaderLength'
  // the JSON header
  | 'InvalidHeaderStart'
  | 'InvalidUtf8'
  | 'InvalidJson'
  | 'DuplicateKey'
  | 'InvalidMetadata'
  | 'ReservedName'
  // one tensor entry
  | 'InvalidTensorEntry'
  | 'UnknownDtype'
  | 'InvalidShape'
  | 'InvalidDataOffsets'
  | 'MisalignedSlice'
  | 'SizeMismatch'
  // the data buffer as a whole
  | 'InvalidOffset'
  | 'TruncatedData'
  | 'TrailingBytes'
  // access
  | 'TensorNotFound'
  | 'InvalidRange'
  | 'TensorTooLarge'
  | 'Closed'
  | 'NotAFile'
  // writing
  | 'OutputExists'
  | 'OverwriteInput'
  | 'TensorOverrun'
  | 'IncompleteWrite'
  // sharded checkpoints
  | 'InvalidIndex'
  | 'MissingShard'
  | 'MissingTensor'
  | 'DuplicateTensor'
  | 'UnmappedTensor'
  | 'EmptyCheckpoint';

const MAX_NAME_CHARS = 120;

/** Quote a name for a message: JSON escapes keep control characters out; long names are cut. */
export function quote(name: string): string {
  const cut = name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name;
  return JSON.stringify(cut);
}

/** `text` with control characters replaced by spaces, so a message stays on one line. */
export function printable(text: string): string {
  return Array.from(text, (c) => (c < ' ' || c === '\x7f' ? ' ' : c)).join('');
}

/**
 * `text` safe to print on a terminal: C0 and C1 control characters, DEL, and the Unicode bidi and
 * line/paragraph separators are written as `\uXXXX` escapes (backslashes doubled, so the output is
 * unambiguous); everything else is kept.
 */
export function escapeControls(text: string): string {
  let out = '';
  for (const c of text) {
    const u = c.codePointAt(0)!;
    const control =
      u < 0x20 ||
      (u >= 0x7f && u <= 0x9f) ||
      u === 0x2028 ||
      u === 0x2029 ||
      u === 0x200e ||
      u === 0x200f ||
      (u >= 0x202a && u <= 0x202e) ||
      (u >= 0x2066 && u <= 0x2069);
    out += c === '\\' ? '\\\\' : control ? `\\u${u.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

/** A safetensors file, index or write that breaks a rule of the format. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  readonly code: SafetensorsErrorCode;
  /** The file (or `<buffer>` label) the rule was checked against. */
  readonly file: string;
  /** The tensor concerned, when the rule is about one tensor. */
  readonly tensor: string | undefined;
  /** The rule broken, without the file and tensor prefix. */
  readonly rule: string;

  constructor(code: SafetensorsErrorCode, file: string, rule: string, tensor?: string) {
    super(`${file}: ${tensor === undefined ? '' : `tensor ${quote(tensor)}: `}${rule}`);
    this.code = code;
    this.file = file;
    this.tensor = tensor;
    this.rule = rule;
  }
}
