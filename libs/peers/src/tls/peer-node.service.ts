import { statfs } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { MODEL_ARTIFACTS, ModelArtifacts } from '@cave/models';
import { loadPeerTls, PeerTlsMaterial } from './peer-tls';

/** What a node reports about itself on `GET /peer/v1/health`. */
export interface NodeHealth {
  nodeId: string;
  freeDiskBytes: number;
  totalMemoryBytes: number;
  freeMemoryBytes: number;
  /** Whether this node has a model registry (it can serve and receive models). */
  models: boolean;
  time: string;
}

/** This node as a peer: its TLS identity, its model registry (when one is wired) and its health. */
@Injectable()
export class PeerNodeService {
  readonly tls: PeerTlsMaterial | undefined;

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    @Optional() @Inject(MODEL_ARTIFACTS) readonly artifacts?: ModelArtifacts,
  ) {
    this.tls = loadPeerTls(config.peers);
  }

  get dataDir(): string {
    return this.config.dataDir;
  }

  async health(): Promise<NodeHealth> {
    mkdirSync(this.dataDir, { recursive: true });
    const fs = await statfs(this.dataDir);
    return {
      nodeId: this.tls?.nodeId ?? '',
      freeDiskBytes: fs.bavail * fs.bsize,
      totalMemoryBytes: totalmem(),
      freeMemoryBytes: freemem(),
      models: this.artifacts !== undefined,
      time: new Date().toISOString(),
    };
  }
}
