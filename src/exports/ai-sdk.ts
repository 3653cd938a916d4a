// `lifeline-workflows/ai-sdk`: the LLM step's adapter for the AI SDK's generateText. A subpath of
// its own because its declarations name the SDK's types: the root stays usable without `ai`
// installed (an optional peer dependency).
export { aiSdkText, aiSdkAnswer, type AiSdkRequest, type AiSdkTextOptions } from '../llm/ai-sdk.js';
