// `--partition raw|live` (NB201): how convolutions are counted for niche membership (src/core/nb201/partition.ts).

import { NB201_PARTITION_MODES, type Nb201PartitionMode } from '../core/nb201/partition.js';
import { UsageError } from './input.js';

export function partitionOption(value: string, space: string | undefined): Nb201PartitionMode {
  if ((space ?? 'nb201') !== 'nb201')
    throw new UsageError(`--partition applies to --space nb201 only (got --space ${space})`);
  if (!(NB201_PARTITION_MODES as readonly string[]).includes(value))
    throw new UsageError(`--partition must be ${NB201_PARTITION_MODES.join(' or ')}, got "${value}"`);
  return value as Nb201PartitionMode;
}
