--[[
Quarto features that plain pandoc does not know, for the fallback renderer
(pipeline.report.render; not used when Quarto renders the report):
  * callouts  `::: {.callout-note}` (also -warning, -important, -tip, -caution), with the title
    from a `title="..."` attribute or from a first heading inside the callout;
  * `{{< pagebreak >}}` on its own paragraph;
  * `::: {.content-visible when-format="html"}` / `.content-hidden` (`unless-format` too), and
    on metadata: `when-meta="sections.sar.shown"` / `unless-meta` (true when the dotted key is
    boolean true, as in Quarto).
HTML gets `div.callout` (styled by fallback.css); Typst calls `eaamr-callout` from template.typ.
]]

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

-- Metadata first, so that conditions on it can be evaluated.
return {
  { Meta = function(meta) META = meta end },
  { Div = Div, Para = Para },
}
