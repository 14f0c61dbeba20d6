#!/usr/bin/env python3
"""Generates a corpus of realistic WordPress RSS 2.0 feeds for the feed-parsing
benchmarks (bench/feed_parse_bench.cpp, bench/compare_feed_parsers.sh).

    bench/gen_feed_corpus.py DIR [--feeds 200] [--seed 3]

Writes DIR/feed-000.xml ... : 200 feeds of 10-50 items each, every item with a
full HTML body in content:encoded (paragraphs, headings, lists, links, images,
figures, blockquotes, embedded scripts and styles, HTML named and numeric
entities), an excerpt in <description>, categories, dc:creator, guid, pubDate,
comments and wfw/slash elements, as WordPress 6 writes them. About 50-100 MB
in total. Deterministic: the same seed gives byte-identical files. Standard
library only; the corpus is not committed.
"""

import argparse
import os
import random
import sys

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but "
    "have an they you were her she there been one all we their has would when if so no what up out "
    "said about more its into than them only some could time these two may then do first any my now "
    "such like our over man me even most made after also did many before must through back years where "
    "much your way well down should because each just those people how too little state good very make "
    "world still own see men work long get here between both life being under never day same another "
    "know while last might us great old year off come since against go came right used take three "
    "government companies market investment trade china britain business technology growth policy "
    "minister economy exports regulation partnership supply chain semiconductor battery electric "
    "vehicles platform digital innovation finance bank shares quarter revenue profit analysts report"
).split()

CATEGORIES = (
    "Technology Business Policy Trade Finance Energy Manufacturing Retail Healthcare Education "
    "Events Interviews Analysis Opinion News Tech-Companies Investment Sustainability"
).split()

AUTHORS = ["Jane Smith", "Li Wei", "Oliver Brown", "Zhang Min", "Amelia Clarke", "Chen Jie",
           "Harry Wilson", "Sophie Taylor", "Wang Fang", "George Evans"]

ENTITIES = ["&nbsp;", "&amp;", "&#8217;", "&#8220;", "&#8221;", "&#8211;", "&hellip;", "&eacute;",
            "&rsquo;", "&mdash;", "&pound;", "&euro;", "&#x2014;"]

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def sentence(rng, lo=8, hi=28):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(ENTITIES))
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = '<a href="https://example-news.org/%s/">%s</a>' % (words[i].lower(), words[i])
    if rng.random() < 0.15:
        i = rng.randrange(len(words))
        words[i] = "<strong>%s</strong>" % words[i]
    if rng.random() < 0.1:
        i = rng.randrange(len(words))
        words[i] = "<em>%s</em>" % words[i]
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng):
    return "<p>" + " ".join(sentence(rng) for _ in range(rng.randint(2, 7))) + "</p>"


def body(rng, slug):
    parts = []
    for n in range(rng.randint(6, 30)):
        r = rng.random()
        if r < 0.62:
            parts.append(paragraph(rng))
        elif r < 0.70:
            parts.append("<h2>%s</h2>" % sentence(rng, 3, 8))
        elif r < 0.77:
            items = "".join("<li>%s</li>" % sentence(rng, 4, 12) for _ in range(rng.randint(2, 6)))
            parts.append(("<ul>%s</ul>" if rng.random() < 0.6 else "<ol>%s</ol>") % items)
        elif r < 0.85:
            w, h = rng.choice([(1024, 683), (800, 600), (1200, 800)])
            parts.append(
                '<figure class="wp-block-image size-large"><img loading="lazy" decoding="async" '
                'width="%d" height="%d" src="https://example-news.org/wp-content/uploads/2025/04/%s-%d.jpg" '
                'alt="%s" class="wp-image-%d" srcset="https://example-news.org/wp-content/uploads/2025/04/'
                '%s-%d-300x200.jpg 300w, https://example-news.org/wp-content/uploads/2025/04/%s-%d.jpg %dw" '
                'sizes="(max-width: %dpx) 100vw, %dpx" /><figcaption class="wp-element-caption">%s</figcaption>'
                "</figure>" % (w, h, slug, n, sentence(rng, 3, 8).replace('"', ""), rng.randint(1000, 99999),
                               slug, n, slug, n, w, w, w, sentence(rng, 4, 10)))
        elif r < 0.90:
            parts.append("<blockquote class=\"wp-block-quote\">%s<cite>%s</cite></blockquote>"
                         % (paragraph(rng), rng.choice(AUTHORS)))
        elif r < 0.94:
            parts.append(
                '<div class="wp-block-embed__wrapper"><blockquote class="twitter-tweet"><p lang="en" dir="ltr">'
                '%s</p>&mdash; %s (@%s) <a href="https://twitter.com/x/status/%d">April %d, 2025</a>'
                '</blockquote><script async src="https://platform.twitter.com/widgets.js" charset="utf-8">'
                "</script></div>" % (sentence(rng), rng.choice(AUTHORS), rng.choice(WORDS),
                                     rng.randint(10**17, 10**18), rng.randint(1, 28)))
        elif r < 0.97:
            parts.append("<style>.wp-block-%s{margin:0 auto;max-width:%dpx}</style>"
                         % (rng.choice(WORDS), rng.randint(300, 900)))
        else:
            rows = "".join("<tr><td>%s</td><td>%d</td><td>%s</td></tr>"
                           % (rng.choice(WORDS), rng.randint(1, 9999), rng.choice(WORDS))
                           for _ in range(rng.randint(2, 8)))
            parts.append('<figure class="wp-block-table"><table><tbody>%s</tbody></table></figure>' % rows)
    parts.append('<p>The post <a href="https://example-news.org/%s/">%s</a> appeared first on '
                 '<a href="https://example-news.org">Example News</a>.</p>' % (slug, slug.replace("-", " ")))
    return "\n".join(parts)


def rfc822(rng, year):
    return "%s, %02d %s %d %02d:%02d:%02d +0000" % (
        rng.choice(DAYS), rng.randint(1, 28), rng.choice(MONTHS), year,
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def feed(rng, index):
    site = "site%03d.example-news.org" % index
    items = []
    for i in range(rng.randint(10, 50)):
        title = sentence(rng, 4, 12).rstrip(".?!")
        slug = "-".join(w.lower() for w in title.split()[:6] if w.isalpha()) or "post-%d" % i
        post_id = rng.randint(1000, 99999)
        html = body(rng, slug)
        excerpt = " ".join(sentence(rng) for _ in range(2))
        cats = "".join("\n\t\t<category><![CDATA[%s]]></category>" % c
                       for c in rng.sample(CATEGORIES, rng.randint(1, 5)))
        items.append(
            "\t<item>\n"
            "\t\t<title>%s</title>\n"
            "\t\t<link>https://%s/%s/</link>\n"
            "\t\t<comments>https://%s/%s/#respond</comments>\n"
            "\t\t<dc:creator><![CDATA[%s]]></dc:creator>\n"
            "\t\t<pubDate>%s</pubDate>%s\n"
            '\t\t<guid isPermaLink="false">https://%s/?p=%d</guid>\n'
            "\t\t<description><![CDATA[%s [&#8230;]]]></description>\n"
            "\t\t<content:encoded><![CDATA[%s]]></content:encoded>\n"
            "\t\t<wfw:commentRss>https://%s/%s/feed/</wfw:commentRss>\n"
            "\t\t<slash:comments>%d</slash:comments>\n"
            "\t</item>" % (title.replace("&", "&amp;").replace("<", "&lt;"), site, slug, site, slug,
                           rng.choice(AUTHORS), rfc822(rng, 2025), cats, site, post_id,
                           excerpt.replace("]]>", ""), html.replace("]]>", ""), site, slug,
                           rng.randint(0, 40)))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n'
        "\t>\n\n<channel>\n"
        "\t<title>Example News %d &#8211; Business</title>\n"
        '\t<atom:link href="https://%s/feed/" rel="self" type="application/rss+xml" />\n'
        "\t<link>https://%s</link>\n"
        "\t<description>News about business and technology</description>\n"
        "\t<lastBuildDate>%s</lastBuildDate>\n"
        "\t<language>en-GB</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        "\t<generator>https://wordpress.org/?v=6.7.2</generator>\n"
        "%s\n</channel>\n</rss>\n" % (index, site, site, rfc822(rng, 2025), "\n".join(items)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    rng = random.Random(args.seed)
    total = 0
    for index in range(args.feeds):
        data = feed(rng, index).encode("utf-8")
        with open(os.path.join(args.directory, "feed-%03d.xml" % index), "wb") as out:
            out.write(data)
        total += len(data)
    print("%s: %d feeds, %.1f MB" % (args.directory, args.feeds, total / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
