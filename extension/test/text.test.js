// Unit tests of the engine's pure text helpers (content/text.js), which need
// no browser: node --test test/ (run by make test-extension-js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../src/content/text.js';

const { toHTML, oneLine, joinAppend, landedText, stripPlaceholders, tooLong, pageLength, squash } = globalThis.sidenoteParts.text;

test('toHTML keeps paragraphs and line breaks, and escapes markup', () => {
  assert.equal(toHTML('a <b>\nc\n\nd & e'), '<p>a &lt;b&gt;<br>c</p><p>d &amp; e</p>');
  assert.equal(toHTML('one'), '<p>one</p>');
});

test('oneLine folds a section for a single-line input', () => {
  assert.equal(oneLine('first line\n  second\n\nthird'), 'first line second third');
});

test('joinAppend puts a blank line after text in a multi-line field, a space in an input', () => {
  assert.equal(joinAppend('Earlier.  \n', 'New.', true), 'Earlier.\n\nNew.');
  assert.equal(joinAppend('Earlier. ', 'New.', false), 'Earlier. New.');
  assert.equal(joinAppend('  ', 'New.', true), 'New.');
});

test('landedText compares loosely on whitespace, and checks both parts when appending', () => {
  assert.ok(landedText('a\n\nb ', 'a\nb', ''));
  assert.ok(!landedText('a b c', 'a b', ''));
  assert.ok(landedText('old\n\nnew text', 'new text', 'old'));
  assert.ok(!landedText('new text', 'new text', 'old'));
  assert.ok(!landedText('old\n\nnew te', 'new text', 'old'));
});

test('stripPlaceholders: placeholder nodes and a field reading as its placeholder are not text', () => {
  assert.equal(squash(stripPlaceholders('Describe the plan…', ['Describe the plan…'], '')), '');
  assert.equal(squash(stripPlaceholders('Type here', [], 'Type here')), '');
  assert.equal(stripPlaceholders('Client said hello', ['Describe…'], 'Type here'), 'Client said hello');
  // Only one occurrence is the placeholder; the clinician may repeat it.
  assert.equal(squash(stripPlaceholders('Notes Notes', ['Notes'], '')), 'Notes');
});

test('tooLong names the limit and the section length', () => {
  assert.equal(tooLong(40, 92), 'too long for this field: it holds at most 40 characters, the section has 92; copy it instead');
});

test('pageLength counts a CRLF as one character, as a textarea does', () => {
  assert.equal(pageLength('a\r\nb'), 3);
  assert.equal(pageLength('é'), 1);
});
