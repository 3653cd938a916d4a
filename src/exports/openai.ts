// `lifeline-workflows/openai`: the LLM step's adapter for the official openai SDK. A subpath of its
// own because its declarations name the SDK's types: the root stays usable without `openai`
// installed (an optional peer dependency).
export { openaiChat, openaiAnswer, type OpenAIChatClient, type OpenAIChatRequest } from '../llm/openai-chat.js';
