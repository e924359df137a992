// The data scripts' one argument: `--from DIR`, the folder of validated source tables (docs/data-provenance.md).
import path from 'node:path';

export function fromDir(script) {
  const i = process.argv.indexOf('--from');
  const dir = i >= 0 ? process.argv[i + 1] : undefined;
  if (!dir) {
    console.error(
      `usage: node scripts/${script} --from DIR   (DIR: the folder of source benchmark files; see docs/data-provenance.md)`,
    );
    process.exit(2);
  }
  return path.resolve(dir);
}
