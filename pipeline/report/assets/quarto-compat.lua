--[[
Quarto features that plain pandoc does not know, for the fallback renderer
(pipeline.report.render; not used when Quarto renders the report):
  * callouts  `::: {.callout-note}` (also -warning, -important, -tip, -caution), with the title
    from a `title="..."` attribute or from a first heading inside the callout;
  * `{{< pagebreak >}}` on its own paragraph;
  * `::: {.content-visible when-format="html"}` / `.content-hidden` (`unless-format` too), and
    on metadata: `when-meta="sections.sar.shown"` / `unless-meta` (true when the dotted key is
    boolean true, as in Quarto).
  * cross-references as Quarto numbers them: figures `![title](file.png){#fig-x fig-alt="..."}`
    and tables (caption `: title {#tbl-x}`) numbered in reading order, captioned
    "Figure 1 – title" / "Table 1 – title", `@fig-x` / `@tbl-x` replaced by "Figure 1" / "Table 1";
    `fig-alt` becomes the image's alternative text. In Typst a figure's image is scaled to the
    text width and shrunk if it would be taller than MAX_HEIGHT.
HTML gets `div.callout` (styled by fallback.css); Typst calls `eaamr-callout` from template.typ.
]]

local CROSSREF_TITLES = { fig = "Figure", tbl = "Table" }
local CAPTION_DELIMITER = " – "
local MAX_HEIGHT = "15cm"
local LABELS = {}  -- "fig-route-map" -> "Figure 1"

local CALLOUT_TITLES = {
  note = "Note",
  warning = "Warning",
  important = "Important",
  tip = "Tip",
  caution = "Caution",
}

local function is_html()
  return FORMAT:match("html") ~= nil
end

local function matches_format(name)
  if name == "html" then
    return is_html()
  end
  if name == "typst" or name == "pdf" then
    return FORMAT:match("typst") ~= nil
  end
  return FORMAT == name
end

local META = {}

local function meta_is_true(key)
  local value = META
  for part in key:gmatch("[^.]+") do
    if type(value) ~= "table" then
      return false
    end
    value = value[part]
  end
  if type(value) == "boolean" then
    return value
  end
  return value ~= nil and pandoc.utils.stringify(value) == "true"
end

local function visibility(div)
  local when, unless = div.attributes["when-format"], div.attributes["unless-format"]
  local when_meta, unless_meta = div.attributes["when-meta"], div.attributes["unless-meta"]
  local applies = (when == nil or matches_format(when)) and (unless == nil or not matches_format(unless))
    and (when_meta == nil or meta_is_true(when_meta)) and (unless_meta == nil or not meta_is_true(unless_meta))
  if div.classes:includes("content-visible") then
    return applies and "show" or "drop"
  end
  if div.classes:includes("content-hidden") then
    return applies and "drop" or "show"
  end
  return nil
end

local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and CALLOUT_TITLES[kind] then
      return kind
    end
  end
  return nil
end

local function callout(div, kind)
  local body = div.content
  local title
  if div.attributes.title then
    title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes.title, "markdown").blocks)
  elseif #body > 0 and body[1].t == "Header" then
    title = body[1].content
    body = pandoc.Blocks({ table.unpack(body, 2) })
  else
    title = pandoc.Inlines({ pandoc.Str(CALLOUT_TITLES[kind]) })
  end

  if is_html() then
    return pandoc.Div({
      pandoc.Div(pandoc.Plain(title), pandoc.Attr("", { "callout-title" })),
      pandoc.Div(body, pandoc.Attr("", { "callout-body" })),
    }, pandoc.Attr(div.identifier, { "callout", "callout-" .. kind }, { role = "note" }))
  end

  if FORMAT:match("typst") then
    local title_typst = pandoc.write(pandoc.Pandoc({ pandoc.Plain(title) }), "typst")
    title_typst = title_typst:gsub("%s+$", "")
    local out = pandoc.List({
      pandoc.RawBlock("typst", '#eaamr-callout(kind: "' .. kind .. '", title: [' .. title_typst .. "])["),
    })
    out:extend(body)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end

  return pandoc.Div(body, div.attr)
end

local function Div(div)
  local visible = visibility(div)
  if visible == "drop" then
    return {}
  elseif visible == "show" then
    return div.content
  end
  local kind = callout_kind(div)
  if kind then
    return callout(div, kind)
  end
  return nil
end

local function Para(para)
  if pandoc.utils.stringify(para):match("^%s*{{<%s*pagebreak%s*>}}%s*$") then
    if is_html() then
      return pandoc.RawBlock("html", '<div class="page-break" aria-hidden="true"></div>')
    end
    if FORMAT:match("typst") then
      return pandoc.RawBlock("typst", "#pagebreak(weak: true)")
    end
    return {}
  end
  return nil
end

local function crossref_kind(identifier)
  local kind = identifier:match("^(%a+)%-")
  return kind and CROSSREF_TITLES[kind] and kind or nil
end

-- Numbers every figure and table with a fig-/tbl- identifier, in reading order.
local function number_crossrefs(doc)
  local counts = { fig = 0, tbl = 0 }
  local function count(element)
    local kind = crossref_kind(element.identifier)
    if kind then
      counts[kind] = counts[kind] + 1
      LABELS[element.identifier] = CROSSREF_TITLES[kind] .. " " .. counts[kind]
    end
  end
  doc:walk({ Figure = count, Table = count })
  return nil
end

local function numbered_caption(identifier, inlines)
  local caption = pandoc.Inlines({ pandoc.Str(LABELS[identifier] .. CAPTION_DELIMITER) })
  caption:extend(inlines)
  return caption
end

local function typst_string(text)
  local escaped = text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ")
  return '"' .. escaped .. '"'
end

local function figure_image(figure)
  local found
  figure:walk({ Image = function(image) found = found or image end })
  return found
end

local function Figure(figure)
  if not LABELS[figure.identifier] then
    return nil
  end
  local caption = numbered_caption(figure.identifier, pandoc.utils.blocks_to_inlines(figure.caption.long))
  local image = figure_image(figure)
  local alt = image and image.attributes["fig-alt"]
  if FORMAT:match("typst") and image then
    local src = typst_string(image.src)
    local alt_text = typst_string(alt or pandoc.utils.stringify(caption))
    local caption_typst = pandoc.write(pandoc.Pandoc({ pandoc.Plain(caption) }), "typst"):gsub("%s+$", "")
    return pandoc.RawBlock("typst", table.concat({
      "#figure(layout(size => {",
      "  let natural = measure(image(" .. src .. "))",
      "  let height = natural.height * (size.width / calc.max(natural.width, 1pt))",
      "  if height > " .. MAX_HEIGHT .. " {",
      "    align(center, image(" .. src .. ", height: " .. MAX_HEIGHT .. ", alt: " .. alt_text .. "))",
      "  } else {",
      "    image(" .. src .. ", width: 100%, alt: " .. alt_text .. ")",
      "  }",
      "}), caption: [" .. caption_typst .. "]) <" .. figure.identifier .. ">",
    }, "\n"))
  end
  figure = figure:walk({ Image = function(img)
    img.attributes["fig-alt"] = nil
    if alt then
      img.caption = pandoc.Inlines({ pandoc.Str(alt) })
    end
    return img
  end })
  figure.caption.long = pandoc.Blocks({ pandoc.Plain(caption) })
  return figure
end

local function Table(tbl)
  if not LABELS[tbl.identifier] then
    return nil
  end
  tbl.caption.long = pandoc.Blocks({
    pandoc.Plain(numbered_caption(tbl.identifier, pandoc.utils.blocks_to_inlines(tbl.caption.long))),
  })
  return tbl
end

local function Cite(cite)
  local label = #cite.citations == 1 and LABELS[cite.citations[1].id]
  if not label then
    return nil
  end
  if is_html() then
    return pandoc.Link(label, "#" .. cite.citations[1].id)
  end
  return pandoc.Str(label)
end

-- Metadata first, so that conditions on it can be evaluated (content switched off by metadata
-- is already dropped by the renderer, as Quarto does, before shortcodes are read).
return {
  { Meta = function(meta) META = meta end },
  { Pandoc = number_crossrefs },
  { Div = Div, Para = Para },
  { Figure = Figure, Table = Table, Cite = Cite },
}
