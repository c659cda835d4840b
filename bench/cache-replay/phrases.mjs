// Phrase material for the trace generator: what streamers say, built from small grammars so that a few
// thousand distinct popular phrases, topic vocabularies and endless one-off sentences come out.
import { pick } from './random.mjs';

export const COMMON = [
  'Thanks for the follow!',
  "Let's go!",
  'Oh my god.',
  'Chat, is this real?',
  'Good game.',
  'No way.',
  'Okay, okay.',
  'Let me read chat.',
  'What is happening?',
  'Welcome in!',
  'Thank you so much.',
  'Hold on.',
  'Wait, what?',
  'That was close.',
  "I'm so bad at this.",
  'Chat, what do I do?',
  'Hi chat!',
  "Let's get it.",
  'Bro.',
  'Are you kidding me?',
  'Yeah.',
  'No.',
  'Right.',
  'Anyway.',
  'Give me a second.',
  'I need a drink.',
  'Be right back.',
  "I'm back.",
  'Can you hear me?',
  'Is the audio okay?',
  'Clip that!',
  'Hype!',
  'Thank you for the sub!',
  'Thanks for the raid!',
  'Welcome raiders!',
  'Thanks for the bits!',
  'Love you chat.',
  'Good night everyone.',
  "That's crazy.",
  'Insane.',
  "What's up everybody?",
  "Let's try again.",
  'One more time.',
  'I got this.',
  'Easy.',
  'Nice!',
  'Nope.',
  'Oh no.',
  'Help.',
  'Follow the stream if you enjoy it.',
  'Hydrate, chat.',
  'Check the discord.',
  'Link in the description.',
];

const SUBJECTS = [
  'this boss',
  'the map',
  'my team',
  'that guy',
  'this level',
  'the game',
  'chat',
  'my aim',
  'the lag',
  'this build',
  'the music',
  'the update',
  'this patch',
  'my internet',
  'the camera',
];
const VERBS = ['is', 'was', 'looks', 'feels', 'seems', 'got', 'keeps being'];
const ADJS = [
  'broken',
  'insane',
  'so good',
  'terrible',
  'weird',
  'amazing',
  'unfair',
  'hilarious',
  'cursed',
  'actually fine',
  'too hard',
  'way too easy',
  'kind of cute',
  'so loud',
  'fixed now',
];
const OPENERS = ['', 'Honestly, ', 'Chat, ', 'Bro, ', 'Okay so ', 'Wait, ', 'I swear ', 'Yo, '];

/** Mid-popularity phrases ("Honestly, this boss is broken."): ~8.4k combinations, Zipf-ranked by index. */
export function mediumPhrases(random, n) {
  const out = new Set();
  while (out.size < n) {
    const s = `${pick(random, OPENERS)}${pick(random, SUBJECTS)} ${pick(random, VERBS)} ${pick(random, ADJS)}.`;
    out.add(s[0].toUpperCase() + s.slice(1));
  }
  return [...out];
}

const TOPIC_NOUNS = [
  ['boss', 'dodge roll', 'estus', 'bonfire', 'parry', 'phase two'],
  ['mid', 'top lane', 'jungle', 'dragon', 'baron', 'the bot lane'],
  ['the zone', 'loot', 'third party', 'shield', 'the storm', 'a sniper'],
  ['redstone', 'the nether', 'diamonds', 'a creeper', 'the base', 'villagers'],
  ['the spike', 'a flank', 'eco round', 'the bomb', 'the site', 'an ace'],
  ['the recipe', 'the oven', 'garlic', 'the sauce', 'the dough', 'a pinch of salt'],
  ['the chord', 'the drums', 'a cover', 'the bridge', 'the mic', 'the chorus'],
  ['the speedrun', 'a glitch', 'the split', 'a reset', 'the skip', 'world record'],
  ['the car', 'the track', 'a pit stop', 'the corner', 'the tires', 'pole position'],
  ['the card', 'the deck', 'a combo', 'the draw', 'my hand', 'the meta'],
  ['the art', 'the brush', 'the canvas', 'shading', 'the sketch', 'colors'],
  ['the news', 'the election', 'the article', 'the clip', 'the video', 'the drama'],
];
const TOPIC_FRAMES = [
  'Watch out for {n}!',
  'Where is {n}?',
  'Go to {n}.',
  'I love {n}.',
  'Not {n} again.',
  'Get {n}!',
  'Did you see {n}?',
  '{N} is so good.',
  'Careful with {n}.',
  'We need {n}.',
  'Forget {n}.',
  'Look at {n}.',
  '{N} again?',
  'Push {n}!',
  'Nice {n}.',
  'Skip {n}.',
  'Save {n}!',
  'Check {n}.',
];

/** A topic's vocabulary (game terms and the like): frames × nouns. */
export function topicPhrases(topic) {
  const out = [];
  for (const n of TOPIC_NOUNS[topic % TOPIC_NOUNS.length])
    for (const f of TOPIC_FRAMES)
      out.push(f.replace('{n}', n).replace('{N}', n[0].toUpperCase() + n.slice(1)));
  return out;
}
export const TOPIC_COUNT = TOPIC_NOUNS.length;

const CATCH_FRAMES = [
  "{w} gang, let's go!",
  'Welcome to the {w} zone!',
  "It's {w} time!",
  '{W} forever.',
  'Stay {w}, chat.',
  'Drop a {w} in chat!',
  'Classic {w} moment.',
  "That's so {w}.",
  '{W} mode activated.',
  'Who wants some {w}?',
  'Smash that {w} button!',
  'Big {w} energy.',
];
const CATCH_WORDS = [
  'pog',
  'sweaty',
  'cozy',
  'goblin',
  'noodle',
  'pickle',
  'turbo',
  'spicy',
  'potato',
  'chaos',
  'froggy',
  'biscuit',
  'wizard',
  'nugget',
  'banana',
  'cactus',
  'yeti',
  'mango',
  'pixel',
  'raccoon',
];

/** A streamer's own catchphrases (unique-ish to the channel). */
export function catchphrases(random, n) {
  const out = new Set();
  while (out.size < n) {
    const w = pick(random, CATCH_WORDS);
    out.add(
      pick(random, CATCH_FRAMES)
        .replace('{w}', w)
        .replace('{W}', w[0].toUpperCase() + w.slice(1)),
    );
  }
  return [...out];
}

const SYLLABLES = ['ka', 'zu', 'mi', 'ro', 'xx', 'lo', 'tv', 'ne', 'qi', 'ba', 'do', 'ri', 'ax', 'el', 'yo'];
export function userName(random) {
  let s = '';
  const parts = 2 + Math.floor(random() * 3);
  for (let i = 0; i < parts; i++) s += pick(random, SYLLABLES);
  return random() < 0.5 ? s + Math.floor(random() * 100) : s;
}

export const THANK_FRAMES = [
  'Thanks for the follow, {u}!',
  'Thank you for the sub, {u}!',
  'Thanks for the bits, {u}!',
  'Welcome in, {u}!',
  '{u}, thanks for the raid!',
  'Good question, {u}.',
  '{u} says hi.',
  'Thanks for gifting, {u}!',
];

const WORDS = (
  'the a to and of I you it that is was for on with this we they be have not but what all were ' +
  'when can there so out up about who get which go me will one my time no just him know take people into ' +
  'year your good some could them see other than then now look only come its over think also back after ' +
  'use two how our work first well way even new want because any these give day most us yesterday dog ' +
  'weekend friend school pizza cat car phone movie city house song weather money mom dad brother sister ' +
  'tomorrow coffee window computer story teacher doctor game level map team chat stream video'
).split(' ');

/** A one-off sentence (most of what a streamer says is said once). */
export function novelSentence(random) {
  const n = 4 + Math.floor(random() * 12);
  const words = [];
  for (let i = 0; i < n; i++) words.push(pick(random, WORDS));
  const s = words.join(' ');
  return s[0].toUpperCase() + s.slice(1) + pick(random, ['.', '.', '.', '?', '!']);
}
