/**
 * @module chipstack
 * The public API: explicit re-exports of each layer.
 */
export {};
