--[[
EAAMR project filter, listed in _quarto.yml: Quarto runs it, and so does the pandoc fallback
(pipeline.report.render). It only acts on Typst output:
  * `::: {.eaamr-figure}` (the numbered figure and its source line) is kept together on one page;
  * `::: {.figure-source}` is set in smaller, grey type.
(The fallback's own figure handling - numbering, scaling the image to the page - is in
pipeline/report/assets/quarto-compat.lua; Quarto does that itself.)
HTML needs nothing here: styles.css styles the same classes.
]]

if not FORMAT:match("typst") then
  return {}
end

local function wrap(open, blocks, close)
  local out = pandoc.List({ pandoc.RawBlock("typst", open) })
  out:extend(blocks)
  out:insert(pandoc.RawBlock("typst", close))
  return out
end

function Div(div)
  if div.classes:includes("figure-source") then
    return wrap("#block(width: 100%, above: 0.6em)[#set text(size: 0.85em, fill: luma(35%))",
      div.content, "]")
  end
  if div.classes:includes("eaamr-figure") then
    -- In the flow, like Quarto's own figures: a block that does not fit on the rest of the
    -- page starts the next one. (A float would fill the gap with the following text, but Typst
    -- may then print it before the heading of its own section.)
    return wrap("#block(width: 100%, breakable: false, above: 1.6em, below: 1.6em)[",
      div.content, "]")
  end
  return nil
end
