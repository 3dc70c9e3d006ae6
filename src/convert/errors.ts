/**
 * @module convert/errors
 * The error a conversion or inspection raises for bad input or a refused output: one line, naming
 * the file or tensor. The CLI prints it and exits with code 2.
 */
export class ConvertError extends Error {
  override readonly name = 'ConvertError';
}
