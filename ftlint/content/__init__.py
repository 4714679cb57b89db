"""Building blocks of the content-quality rules (family Q, Q2xx-Q4xx): ROUGE-L, agreement
coefficients, compact dataset sketches and phrase heuristics. Plain functions on text and numbers,
independent of the engine, so each can be tested alone and reused by later rules."""
