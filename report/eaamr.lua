--[[
EAAMR project filter, listed in _quarto.yml: Quarto runs it, and so does the pandoc fallback
(pipeline.report.render). It only acts on Typst output:
  * `::: {.eaamr-figure}` (caption paragraph, image, source line) is kept together on one page;
  * an image standing alone in a paragraph is scaled to the text width, and shrunk if that would
    make it taller than MAX_HEIGHT, so that it is never cut off by the page;
  * `::: {.figure-source}` is set in smaller, grey type.
HTML needs nothing here: styles.css styles the same classes.
]]

if not FORMAT:match("typst") then
  return {}
end

local MAX_HEIGHT = "15cm"

local function typst_string(text)
  local escaped = text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ")
  return '"' .. escaped .. '"'
end

local function wrap(open, blocks, close)
  local out = pandoc.List({ pandoc.RawBlock("typst", open) })
  out:extend(blocks)
  out:insert(pandoc.RawBlock("typst", close))
  return out
end

-- A paragraph holding one local image and nothing else (spaces aside).
local function lone_image(para)
  local image
  for _, inline in ipairs(para.content) do
    if inline.t == "Image" and not image then
      image = inline
    elseif inline.t ~= "Space" and inline.t ~= "SoftBreak" and inline.t ~= "LineBreak" then
      return nil
    end
  end
  if image and not image.src:match("^%a[%w+.-]*:") then
    return image
  end
  return nil
end

function Para(para)
  local image = lone_image(para)
  if not image then
    return nil
  end
  local src = typst_string(image.src)
  local alt = typst_string(pandoc.utils.stringify(image.caption))
  return pandoc.RawBlock("typst", table.concat({
    "#layout(size => {",
    "  let natural = measure(image(" .. src .. "))",
    "  let height = natural.height * (size.width / calc.max(natural.width, 1pt))",
    "  if height > " .. MAX_HEIGHT .. " {",
    "    align(center, image(" .. src .. ", height: " .. MAX_HEIGHT .. ", alt: " .. alt .. "))",
    "  } else {",
    "    image(" .. src .. ", width: 100%, alt: " .. alt .. ")",
    "  }",
    "})",
  }, "\n"))
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
