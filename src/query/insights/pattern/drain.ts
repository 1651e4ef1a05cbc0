/**
 * Drain, the online log-template miner of He, Zhu, Zheng and Lyu ("Drain: An Online Log Parsing
 * Approach with Fixed Depth Tree", ICWS 2017), as the `pattern` command's clustering step.
 *
 * Each message is tokenized with the masking pre-step (tokenize.ts), then routed down a tree of fixed
 * depth: the first layer is keyed by the token count (with the whitespace layout, so that a template
 * renders back exactly), the next layers by leading tokens (`routingTokens`, the paper's depth - 2).
 * At the leaf, the message joins the cluster whose template is most similar (the share of positions
 * with equal tokens) if that similarity reaches the threshold, and the template turns the positions
 * where they differ into parameters; otherwise it starts a cluster of its own. Clusters whose
 * templates end up identical are merged when results are produced (stage.ts).
 *
 * Departures from the paper, each for a stated reason:
 * - Leading tokens for routing skip masked values, tokens with digits and pure punctuation. The paper
 *   routes tokens with digits to its `*` node; real logs begin with timestamps and brackets, which
 *   would put every line of a given length in one leaf and make each lookup a scan of all clusters.
 * - Identical punctuation does not count towards similarity (our tokenizer splits it off; counting it
 *   would make unrelated JSON or bracketed lines look alike).
 * - Memory is bounded: past `maxClusters`, a message that matches no template joins the most similar
 *   cluster of its leaf whatever the threshold, or, when its leaf does not exist, one overflow cluster
 *   whose template is a single parameter. Every message is still counted in exactly one cluster and
 *   matches that cluster's template.
 *
 * The miner is deterministic: the same messages in the same order give the same clusters, ids and
 * templates (no randomness; Map iteration is insertion-ordered; ties go to the older cluster).
 * Clusters count their messages per `group`, so one miner can mine two periods for `diff` and give
 * both the same templates.
 */
import { isPunctuation, maskKind, nameOf, tokenize, type Token, type TokenName } from './tokenize.js';
import { TopValues } from './top-values.js';

export interface DrainOptions {
  /**
   * Leading tokens that route a message below the length layer (the paper's `depth - 2`). Default 1:
   * the paper tuned its depth per dataset, on messages whose headers had been removed; with one token
   * `User alice ...` and `User bob ...` still meet in one leaf.
   */
  routingTokens?: number;
  /** Similarity threshold `st` in [0, 1]. Default 0.5. */
  similarity?: number;
  /** Children per internal node before further tokens share the wildcard child (paper's `maxChild`). Default 100. */
  maxChildren?: number;
  /** Clusters kept before messages are forced into existing ones (plus one overflow cluster). Default 2000. */
  maxClusters?: number;
  /** Values counted per dynamic token and group (CloudWatch captures at most 10). Default 10. */
  maxValuesPerToken?: number;
  /** Number of count groups (periods). Default 1. */
  groups?: number;
}

export interface TemplateToken {
  /** The literal, for a static token. */
  text: string;
  gap: boolean;
  dynamic: boolean;
  /** The literal is only punctuation (cached for similarity). */
  punct: boolean;
}

/** What a dynamic position has seen: per group, its most frequent values; and the name they agree on. */
export interface Slot {
  name: TokenName;
  values: TopValues[];
}

export class Cluster {
  /** Messages per group. */
  readonly counts: number[];
  /** Per template position: the slot of a dynamic position, null for a static one. */
  readonly slots: Array<Slot | null>;
  /** Number of dynamic positions. */
  params = 0;

  constructor(
    /** Creation order, from 0. */
    readonly id: number,
    readonly template: TemplateToken[],
    groups: number,
    /** The overflow cluster: one parameter standing for the whole message. */
    readonly overflow = false,
  ) {
    this.counts = new Array<number>(groups).fill(0);
    this.slots = template.map(() => null);
  }

  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }
}

interface TreeNode {
  children: Map<string, TreeNode>;
  clusters: Cluster[];
}

/** Child keys for the wildcard and for a missing leading token. A token equal to one only changes which leaf it shares. */
const WILDCARD = '\u0000*';
const PAD = '\u0000_';

const DIGIT = /\d/;

export class Drain {
  readonly routingTokens: number;
  readonly similarity: number;
  readonly maxChildren: number;
  readonly maxClusters: number;
  readonly maxValuesPerToken: number;
  readonly groups: number;

  private readonly root = new Map<string, TreeNode>();
  private readonly list: Cluster[] = [];
  private overflowCluster: Cluster | null = null;

  constructor(opts: DrainOptions = {}) {
    this.routingTokens = opts.routingTokens ?? 1;
    this.similarity = opts.similarity ?? 0.5;
    this.maxChildren = opts.maxChildren ?? 100;
    this.maxClusters = opts.maxClusters ?? 2000;
    this.maxValuesPerToken = opts.maxValuesPerToken ?? 10;
    this.groups = opts.groups ?? 1;
    if (!Number.isInteger(this.routingTokens) || this.routingTokens < 0) throw new RangeError(`routingTokens must be a non-negative integer, got ${this.routingTokens}`);
    if (!(this.similarity >= 0 && this.similarity <= 1)) throw new RangeError(`similarity must be in [0, 1], got ${this.similarity}`);
    if (!Number.isInteger(this.maxChildren) || this.maxChildren < 2) throw new RangeError(`maxChildren must be an integer >= 2, got ${this.maxChildren}`);
    if (!Number.isInteger(this.maxClusters) || this.maxClusters < 1) throw new RangeError(`maxClusters must be a positive integer, got ${this.maxClusters}`);
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new RangeError(`groups must be a positive integer, got ${this.groups}`);
  }

  /** Clusters in creation order (the overflow cluster last, when there is one). */
  clusters(): readonly Cluster[] {
    return this.overflowCluster ? [...this.list, this.overflowCluster] : this.list;
  }

  /** Mines one message, counted in `group`; returns the cluster it joined or started. */
  add(message: string, group = 0): Cluster {
    if (!Number.isInteger(group) || group < 0 || group >= this.groups) throw new RangeError(`group must be in [0, ${this.groups}), got ${group}`);
    const tokens = tokenize(message);
    const full = this.list.length >= this.maxClusters;
    const leaf = this.leafFor(tokens, !full);
    if (leaf === null) return this.addOverflow(tokens, group);

    // The most similar template; on a tie the one with more parameters (the paper's rule), then the oldest.
    let best: Cluster | null = null;
    let bestSim = -1;
    for (const c of leaf.clusters) {
      const sim = similarity(c.template, tokens);
      if (sim > bestSim || (sim === bestSim && c.params > (best as Cluster).params)) {
        best = c;
        bestSim = sim;
      }
    }
    if (best && (bestSim >= this.similarity || full)) {
      this.join(best, tokens, group);
      return best;
    }
    if (full) return this.addOverflow(tokens, group);
    const c = new Cluster(
      this.list.length,
      tokens.map((t) => ({ text: t.text, gap: t.gap, dynamic: false, punct: isPunctuation(t.text) })),
      this.groups,
    );
    this.join(c, tokens, group);
    this.list.push(c);
    leaf.clusters.push(c);
    return c;
  }

  /** The leaf for `tokens`, creating nodes when `create`; null when it does not exist and may not be created. */
  private leafFor(tokens: Token[], create: boolean): TreeNode | null {
    let layout = `${tokens.length}:`;
    for (const t of tokens) layout += t.gap ? '1' : '0';
    let node: TreeNode | undefined = this.root.get(layout);
    if (!node) {
      if (!create) return null;
      node = { children: new Map(), clusters: [] };
      this.root.set(layout, node);
    }
    const route: string[] = [];
    for (const t of tokens) {
      if (route.length === this.routingTokens) break;
      if (t.kind === null && !DIGIT.test(t.text) && !isPunctuation(t.text)) route.push(t.text);
    }
    while (route.length < this.routingTokens) route.push(PAD);
    for (const key of route) {
      let child: TreeNode | undefined = node.children.get(key);
      if (!child && create && node.children.size < this.maxChildren) {
        child = { children: new Map(), clusters: [] };
        node.children.set(key, child);
      }
      if (!child) {
        child = node.children.get(WILDCARD);
        if (!child && create) {
          child = { children: new Map(), clusters: [] };
          node.children.set(WILDCARD, child);
        }
      }
      if (!child) return null;
      node = child;
    }
    return node;
  }

  /** Counts the message in `c`, turning the positions where it differs from the template into parameters. */
  private join(c: Cluster, tokens: Token[], group: number): void {
    for (let i = 0; i < tokens.length; i++) {
      const t = c.template[i] as TemplateToken;
      const x = tokens[i] as Token;
      let slot = c.slots[i] ?? null;
      if (!slot) {
        if (x.kind === null && x.text === t.text) continue;
        // Every message counted so far had the static text here.
        slot = { name: nameOf({ text: t.text, gap: t.gap, kind: maskKind(t.text) }), values: this.emptyValues() };
        const old = c.total;
        if (old === 0) slot.name = nameOf(x);
        else for (let g = 0; g < this.groups; g++) if ((c.counts[g] as number) > 0) (slot.values[g] as TopValues).add(t.text, c.counts[g]);
        t.dynamic = true;
        c.slots[i] = slot;
        c.params++;
      }
      (slot.values[group] as TopValues).add(x.text);
      const name = nameOf(x);
      if (slot.name !== name) slot.name = 'Token';
    }
    c.counts[group] = (c.counts[group] as number) + 1;
  }

  private addOverflow(tokens: Token[], group: number): Cluster {
    if (!this.overflowCluster) {
      const c = new Cluster(this.maxClusters, [{ text: '', gap: false, dynamic: true, punct: false }], this.groups, true);
      c.slots[0] = { name: 'Token', values: this.emptyValues() };
      c.params = 1;
      this.overflowCluster = c;
    }
    const c = this.overflowCluster;
    const text = tokens.map((t, i) => (i > 0 && t.gap ? ' ' : '') + t.text).join('');
    ((c.slots[0] as Slot).values[group] as TopValues).add(text);
    c.counts[group] = (c.counts[group] as number) + 1;
    return c;
  }

  private emptyValues(): TopValues[] {
    return Array.from({ length: this.groups }, () => new TopValues(this.maxValuesPerToken));
  }
}

/**
 * The paper's simSeq: equal positions over all positions, where a template parameter equals a masked
 * token. Positions where both sides are the same punctuation carry no weight.
 */
export function similarity(template: readonly TemplateToken[], tokens: readonly Token[]): number {
  let weight = 0;
  let equal = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = template[i] as TemplateToken;
    const x = tokens[i] as Token;
    if (t.dynamic) {
      weight++;
      if (x.kind !== null) equal++;
    } else if (x.kind === null && t.text === x.text) {
      if (!t.punct) {
        weight++;
        equal++;
      }
    } else {
      weight++;
    }
  }
  return weight === 0 ? 1 : equal / weight;
}
