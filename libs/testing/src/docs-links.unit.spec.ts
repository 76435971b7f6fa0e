import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

/**
 * The docs are part of the product: a newcomer follows the README's links, so a moved page or
 * a renamed heading must fail `npm test` rather than leave a dead link. Links are read with a
 * real Markdown parser (so code blocks and inline code are not links), and anchors are slugged
 * the way GitHub does it. External links are not fetched (no network in tests), only checked
 * to be well-formed.
 */

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const markdown = new MarkdownIt({ html: true, linkify: false });

interface MarkdownDoc {
  /** Repository-relative, with forward slashes. */
  path: string;
  links: { href: string; line: number }[];
  anchors: Set<string>;
}

function tokensOf(text: string): MarkdownIt.Token[] {
  return markdown.parse(text, {});
}

/** The heading's text as GitHub renders it: inline markup dropped, code spans kept. */
function plainText(inline: MarkdownIt.Token): string {
  return (inline.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline' || child.type === 'html_inline')
    .map((child) => (child.type === 'html_inline' ? '' : child.content))
    .join('');
}

function readMarkdown(path: string, text: string): MarkdownDoc {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  const links: MarkdownDoc['links'] = [];
  const tokens = tokensOf(text);
  tokens.forEach((token, index) => {
    const line = (token.map?.[0] ?? 0) + 1;
    if (token.type === 'heading_open') {
      const inline = tokens[index + 1];
      if (inline?.type === 'inline') anchors.add(slugger.slug(plainText(inline)));
    }
    // Explicit HTML anchors (<a id="…"> / name="…") are link targets too.
    if (token.type === 'html_block' || token.type === 'inline') {
      const html =
        token.type === 'html_block'
          ? token.content
          : (token.children ?? [])
              .filter((c) => c.type === 'html_inline')
              .map((c) => c.content)
              .join('');
      for (const match of html.matchAll(/\s(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
    }
    for (const child of token.children ?? []) {
      const href =
        child.type === 'link_open'
          ? child.attrGet('href')
          : child.type === 'image'
            ? child.attrGet('src')
            : null;
      if (href !== null) links.push({ href: String(href), line });
    }
  });
  return { path, links, anchors };
}

/** Every problem with one document's links, given the other documents and the file system. */
function linkProblems(
  doc: MarkdownDoc,
  docs: Map<string, MarkdownDoc>,
  exists: (path: string) => boolean,
): string[] {
  const problems: string[] = [];
  const at = (line: number, message: string) => problems.push(`${doc.path}:${line}: ${message}`);
  for (const { href, line } of doc.links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      if (/^https?:/i.test(href)) {
        let url: URL | undefined;
        try {
          url = new URL(href);
        } catch {
          url = undefined;
        }
        if (!url?.hostname || /\s/.test(href)) at(line, `malformed URL ${href}`);
      } else if (!/^mailto:[^@\s]+@[^@\s]+$/i.test(href)) {
        at(line, `unexpected link scheme in ${href}`);
      }
      continue;
    }
    const hashAt = href.indexOf('#');
    const pathPart = decodeURI(hashAt === -1 ? href : href.slice(0, hashAt)).replace(/\?.*$/, '');
    const anchor = hashAt === -1 ? undefined : decodeURIComponent(href.slice(hashAt + 1));
    // "/x" is relative to the repository root on GitHub; anything else to the document's folder.
    const target =
      pathPart === ''
        ? doc.path
        : relative(
            REPO_ROOT,
            pathPart.startsWith('/')
              ? join(REPO_ROOT, pathPart)
              : resolve(REPO_ROOT, dirname(doc.path), pathPart),
          )
            .split('\\')
            .join('/');
    if (target.startsWith('..')) {
      at(line, `${href} points outside the repository`);
      continue;
    }
    if (!exists(target)) {
      at(line, `${href}: ${target} does not exist`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    const linked = docs.get(target);
    // Anchors into code files (#L10) are GitHub's line links: nothing to check.
    if (!target.endsWith('.md')) continue;
    if (!linked) {
      at(line, `${href}: ${target} is not one of the checked Markdown files`);
    } else if (!linked.anchors.has(anchor)) {
      at(line, `${href}: no heading "#${anchor}" in ${target} (it has: ${[...linked.anchors].join(', ')})`);
    }
  }
  return problems;
}

/** README, CONTRIBUTING, CHANGELOG, docs/**, examples/** READMEs — the Markdown users read. */
function repositoryMarkdownPaths(): string[] {
  const walk = (dir: string, keep: (name: string) => boolean): string[] => {
    if (!existsSync(join(REPO_ROOT, dir))) return [];
    return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
      .map((name) => `${dir}/${name.split('\\').join('/')}`)
      .filter((path) => !path.split('/').includes('node_modules') && keep(path));
  };
  return [
    ...['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'].filter((path) => existsSync(join(REPO_ROOT, path))),
    ...walk('docs', (path) => path.endsWith('.md')),
    ...walk('examples', (path) => path.endsWith('/README.md')),
  ].sort();
}

function loadDocs(paths: string[]): Map<string, MarkdownDoc> {
  return new Map(
    paths.map((path) => [path, readMarkdown(path, readFileSync(join(REPO_ROOT, path), 'utf8'))]),
  );
}

describe('Markdown links (README, CONTRIBUTING, CHANGELOG, docs/, examples/)', () => {
  const paths = repositoryMarkdownPaths();
  const docs = loadDocs(paths);
  const onDisk = (path: string) => existsSync(join(REPO_ROOT, path));

  it('finds the documents', () => {
    expect(paths).toEqual(
      expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'docs/architecture.md']),
    );
  });

  it.each(paths)('%s: every relative link and #anchor resolves, every URL is well-formed', (path) => {
    expect(linkProblems(docs.get(path)!, docs, onDisk)).toEqual([]);
  });

  it('every docs page says who it is for, right under its title', () => {
    const missing = paths
      .filter((path) => path.startsWith('docs/'))
      .filter((path) => {
        const lines = readFileSync(join(REPO_ROOT, path), 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '');
        return !/^_?For\b/.test(lines[1] ?? '');
      });
    expect(missing).toEqual([]);
  });
});

describe('the link checker', () => {
  const doc = (path: string, text: string) => readMarkdown(path, text);
  const files = new Set(['README.md', 'docs/a.md', 'docs/b.md', 'docs/events', 'tools/x.cjs']);
  const check = (target: MarkdownDoc, ...others: MarkdownDoc[]) =>
    linkProblems(target, new Map([target, ...others].map((d) => [d.path, d])), (path) => files.has(path));

  it('slugs headings as GitHub does: lower case, punctuation dropped, code kept, duplicates numbered', () => {
    const { anchors } = doc(
      'docs/a.md',
      "# Why reads go by `_id`\n## Large run (100,000 contacts)\n## FerretDB's limits\n## Setup\n## Setup\n## *Read* side: queries\n",
    );
    expect([...anchors]).toEqual([
      'why-reads-go-by-_id',
      'large-run-100000-contacts',
      'ferretdbs-limits',
      'setup',
      'setup-1',
      'read-side-queries',
    ]);
  });

  it('accepts links that resolve, relative to the document or the repository root', () => {
    const b = doc('docs/b.md', '# Title\n## Part two\n');
    const a = doc(
      'docs/a.md',
      '# A\nSee [b](b.md#part-two), [b again](./b.md), [top](#a), [events](events/), [x](../tools/x.cjs#L3), [readme](/README.md), [site](https://example.org/x?y=1#z), [mail](mailto:a@example.org).\n',
    );
    expect(check(a, b)).toEqual([]);
  });

  it('reports a missing file, a missing anchor, a path outside the repository and a malformed URL', () => {
    const b = doc('docs/b.md', '# Title\n');
    const a = doc(
      'docs/a.md',
      '# A\n\n[gone](gone.md)\n[anchor](b.md#nope)\n[out](../../etc/passwd)\n[bad](https://)\n[self](#missing)\n',
    );
    const problems = check(a, b);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^docs\/a\.md:3: gone\.md: docs\/gone\.md does not exist/);
    expect(problems[1]).toMatch(/no heading "#nope" in docs\/b\.md/);
    expect(problems[2]).toMatch(/outside the repository/);
    expect(problems[3]).toMatch(/malformed URL/);
    expect(problems[4]).toMatch(/no heading "#missing" in docs\/a\.md/);
  });

  it('ignores what only looks like a link inside code', () => {
    const a = doc('docs/a.md', '# A\n\n`[no](gone.md)`\n\n```md\n[no](gone.md)\n```\n');
    expect(check(a)).toEqual([]);
  });
});
