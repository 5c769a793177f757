import { IDENTITY_ON_PLAIN } from './plain-gate.ts';
import { TRANSFORMS, type TransformName } from './transforms.ts';

/** One transformation applied to the value of its parent node (-1: the field's value). */
export interface ChainNode {
  transform: TransformName;
  parent: number;
  /** The transformation leaves a plain value as it is (plain-gate.ts). */
  identityOnPlain: boolean;
}

/** The transformation chains of a level's rule groups as one tree of prefixes, parents before children. */
export class ChainTree {
  readonly nodes: ChainNode[] = [];
  private readonly ids = new Map<string, number>();

  /** The node of a chain (-1 for the empty one), added with its prefixes as needed. */
  nodeOf(chain: readonly TransformName[]): number {
    let node = -1;
    for (let i = 0; i < chain.length; i++) {
      const key = chain.slice(0, i + 1).join(',');
      let id = this.ids.get(key);
      if (id === undefined) {
        this.ids.set(key, (id = this.nodes.length));
        this.nodes.push({ transform: chain[i], parent: node, identityOnPlain: IDENTITY_ON_PLAIN.has(chain[i]) });
      }
      node = id;
    }
    return node;
  }
}

/**
 * The values of one field at each node of the tree, computed when first asked for; on a plain
 * value, the transformations that leave it as it is are not run.
 */
export class ChainValues {
  private readonly values: string[];
  /** done[node] === stamp: values[node] is the current field's. */
  private readonly done: Uint32Array;
  private stamp = 0;
  private field = '';
  private plain = false;

  constructor(private readonly nodes: readonly ChainNode[]) {
    this.values = new Array<string>(nodes.length).fill('');
    this.done = new Uint32Array(nodes.length);
  }

  reset(field: string, plain: boolean): void {
    this.field = field;
    this.plain = plain;
    this.stamp++;
  }

  value(node: number): string {
    if (node < 0) return this.field;
    if (this.done[node] === this.stamp) return this.values[node];
    const n = this.nodes[node];
    const input = this.value(n.parent);
    const v = this.plain && n.identityOnPlain ? input : TRANSFORMS[n.transform](input);
    this.values[node] = v;
    this.done[node] = this.stamp;
    return v;
  }
}
