/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// Preact through esbuild's automatic JSX runtime: no plugin needed.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', sourcemap: true, target: 'es2022' },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
